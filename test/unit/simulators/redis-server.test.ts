import Redis from 'ioredis';
import { startRedis } from '../../../src/simulators/redis-server';

describe('the tests\' redis-server', () => {
  it('is not mistaken for another server answering on its port: a taken port fails, and the server there is left alone', async () => {
    const first = await startRedis();
    const client = new Redis(first.url);
    try {
      await client.set('owner', 'first');
      await expect(startRedis({ port: first.port })).rejects.toThrow(/taken/);
      expect(await client.get('owner')).toBe('first');
    } finally {
      client.disconnect();
      await first.close();
    }
  });
});
