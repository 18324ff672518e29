import type { AppLogger } from '../logger';
import type { RequestService } from '../services/request-service';

/** Runs the request reconciler now and then every `intervalMs`, where the jobs run. */
export function startReconciler(requests: RequestService, logger: AppLogger, intervalMs: number): () => void {
  const pass = () =>
    requests.reconcile().catch((err: unknown) => logger.warn('reconciler pass failed (will retry)', { err: (err as Error).message }));
  void pass();
  const timer = setInterval(() => void pass(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
