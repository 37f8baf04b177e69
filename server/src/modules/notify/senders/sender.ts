// One interface for every channel (issue 7 §4). A send answers a result value, never throws for an expected
// outcome: ok (with the provider's id), retryable (timeout, network, throttling: the job retries with
// backoff) or permanent (a refused number or address: retrying cannot help, the message fails).
export type SendResult = { status: 'ok'; providerId: string } | { status: 'retryable'; reason: string } | { status: 'permanent'; reason: string };

export interface OutboundMessage {
  /** the message id: providers that take one use it to deduplicate */
  id: string;
  to: string;
  subject: string;
  body: string;
  /** SMS: the provider template and its parameters (Aliyun sends a registered template, not free text) */
  providerTemplate?: string;
  templateParams?: Record<string, string>;
}

export interface Sender {
  readonly channel: 'sms' | 'email' | 'inapp';
  send(message: OutboundMessage): Promise<SendResult>;
  close?(): Promise<void>;
}

export const ok = (providerId: string): SendResult => ({ status: 'ok', providerId });
export const retryable = (reason: string): SendResult => ({ status: 'retryable', reason });
export const permanent = (reason: string): SendResult => ({ status: 'permanent', reason });

/** A channel without configuration: every send is refused for good, with the reason the log shows. */
export function unconfigured(channel: Sender['channel'], what: string): Sender {
  return { channel, send: async () => permanent(`${channel} is not configured (${what})`) };
}
