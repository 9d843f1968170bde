import * as z from '../zod';

/** Work that runs after the request that committed it: a handover job, or an HR delivery to apply. */
export const jobMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('handover'), jobId: z.string().check(z.minLength(1)) }),
  z.object({ type: z.literal('hrDelivery'), provider: z.string().check(z.minLength(1)), deliveryId: z.string().check(z.minLength(1)) }),
]);
export type JobMessage = z.infer<typeof jobMessageSchema>;
