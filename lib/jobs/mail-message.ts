import type { MailMessage } from './queue';

/**
 * Reads a mail message without the schema library, which would cost the mail worker a quarter of
 * its bundle for four fields. The relay has already validated the message with `mailMessageSchema`
 * before queueing it; a unit test keeps the two in agreement.
 */
export const mailMessageParser = {
  safeParse(input: unknown): { success: true; data: MailMessage } | { success: false } {
    if (typeof input !== 'object' || input === null) return { success: false };
    const { type, kind, userId, requestId } = input as Record<string, unknown>;
    const text = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
    if (type !== 'mail' || (kind !== 'invitation' && kind !== 'loginChange') || !text(userId) || !text(requestId)) return { success: false };
    return { success: true, data: { type, kind, userId, requestId } };
  },
};
