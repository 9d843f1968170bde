import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Mail } from '../mail/mailer';
import { OutboxMailer, type OutboxEntry } from '../mail/outbox-mailer';
import { logger } from '../logger';
import { OWNER_ONLY_FILE } from './state';

/**
 * The local mail outbox, kept in a file as well (one JSON line per mail, owner-only: it holds live
 * links) so `GET /_local/outbox` still lists mail sent before a restart or a crash. Each mail is
 * written before the send returns, so before its outbox message is marked handled.
 */
export class PersistentOutboxMailer extends OutboxMailer {
  constructor(
    appBaseUrl: string,
    private readonly file: string,
  ) {
    super(appBaseUrl);
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    // End a line cut short by a crash, so the next mail starts a line of its own.
    if (text && !text.endsWith('\n')) appendFileSync(file, '\n');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        this.entries.push(JSON.parse(line) as OutboxEntry);
      } catch {
        // A line cut short by a crash mid-write: that mail's message was not marked handled.
        logger.warn('unreadable line in the local mail outbox skipped', { file });
      }
    }
  }

  override async send(mail: Mail): Promise<void> {
    await super.send(mail);
    appendFileSync(this.file, `${JSON.stringify(this.entries.at(-1))}\n`, { mode: OWNER_ONLY_FILE });
  }
}
