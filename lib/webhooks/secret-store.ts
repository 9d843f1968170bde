/** Where each provider's signing secret comes from. */
export interface WebhookSecrets {
  get(provider: string): Promise<string | undefined>;
}

/** Local: from environment variables, read once at start-up. */
export class StaticWebhookSecrets implements WebhookSecrets {
  constructor(private readonly secrets: Record<string, string | undefined>) {}
  async get(provider: string): Promise<string | undefined> {
    return (Object.hasOwn(this.secrets, provider) && this.secrets[provider]) || undefined;
  }
}
