/**
 * One offered rate of the mix: bot and bare Bolt take turns in short rounds, so both see the same
 * machine; each bot round ends when the bot has finished the work it queued (no Slack call for
 * 500 ms), and pairs every Approve click of the round with the requester's DM.
 */
import type { Fakes } from './fakes';
import { loadRound, merge, stats, type Mix, type Round } from './load';
import { cpuSeconds, machineCpuSeconds, type Machine, type Running } from './processes';
import type { Phase } from './report';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the fake Slack has had no call for `quietMs`: the bot has finished its queued work. */
export async function settle(fakes: Fakes, quietMs = 500, maxMs = 60_000) {
  const deadline = Date.now() + maxMs;
  let last = -1;
  while (Date.now() < deadline) {
    const total = await fakes.total();
    if (total === last) return;
    last = total;
    await sleep(quietMs);
  }
}

export interface Under {
  bot: Running;
  bare: Running;
  fakes: Fakes;
  redisPid: number | undefined;
  machine: Machine;
  secret: string;
}

/** CPU seconds so far of each process that takes part, and of the whole machine. */
function cpuNow({ bot, fakes, redisPid }: Under) {
  const self = process.cpuUsage();
  const machine = machineCpuSeconds();
  return {
    bot: cpuSeconds(bot.pid),
    fakes: cpuSeconds(fakes.pid),
    loadGenerator: (self.user + self.system) / 1e6,
    redis: redisPid ? cpuSeconds(redisPid) : 0,
    machine: machine.busy,
    steal: machine.steal,
  };
}
type Cpu = ReturnType<typeof cpuNow>;

export async function phase(rate: number, seconds: number, rounds: number, under: Under, mix: Mix): Promise<Phase> {
  const { bot, bare, fakes, machine, secret } = under;
  const botRounds: Round[] = [];
  const bareRounds: Round[] = [];
  const cpu: Cpu = { bot: 0, fakes: 0, loadGenerator: 0, redis: 0, machine: 0, steal: 0 };
  const delays: number[] = [];
  let clicks = 0;
  let failed = 0;
  const repeats0 = mix.repeats;
  const [redone0, disturbed0] = [machine.redone, machine.disturbed];
  for (let i = 0; i < rounds; i++) {
    const kept = await machine.undisturbed(async () => {
      const c0 = cpuNow(under);
      const round = await loadRound(bot.url, secret, rate, seconds / rounds, () => mix.next(true), true);
      await settle(fakes);
      const c1 = cpuNow(under);
      return { round, c0, c1, dms: await fakes.takeDms() };
    });
    for (const k of Object.keys(cpu) as (keyof Cpu)[]) cpu[k] += (kept.c1[k] - kept.c0[k]) / seconds;
    botRounds.push(kept.round);
    clicks += kept.round.clicks.size;
    for (const dm of kept.dms) {
      const at = kept.round.clicks.get(dm.name);
      if (at === undefined) continue;
      if (dm.done) delays.push(dm.at - at);
      else failed++;
    }
    bareRounds.push(await machine.undisturbed(() => loadRound(bare.url, secret, rate, seconds / rounds, () => mix.next(false), false)));
  }
  const e2e = { ...stats(delays), clicks, failed, missing: clicks - delays.length - failed };
  const others = cpu.machine - cpu.bot - cpu.fakes - cpu.loadGenerator - cpu.redis;
  return {
    rate,
    seconds,
    rounds,
    bot: merge(botRounds),
    bare: merge(bareRounds),
    cpu: { ...cpu, others },
    e2e,
    repeats: mix.repeats - repeats0,
    redone: machine.redone - redone0,
    disturbed: machine.disturbed - disturbed0,
  };
}
