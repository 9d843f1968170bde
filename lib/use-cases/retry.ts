import { Busy } from '../domain/errors';
import { StaleWrite } from '../data/transaction';

/**
 * Optimistic concurrency: when a user changed between our read and our write, read again and
 * re-decide (the new state may now be refused, e.g. already dismissed). Bounded, then 503.
 */
export async function retryOnStale<T>(operation: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof StaleWrite)) throw error;
      if (attempt >= attempts) throw new Busy();
    }
  }
}
