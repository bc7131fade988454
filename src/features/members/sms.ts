import type { Logger } from '../../log';
import type { MembersConfig } from './settings';

/**
 * Where an SMS campaign's messages go. The bot keeps only a hash of the phone, so a provider
 * resolves the member code to a number itself (the chain's CRM or SMS gateway does). Off by
 * default; `log` writes each message to the log instead of sending it, for trying a campaign.
 */
export interface SmsProvider {
  readonly name: string;
  send(message: { memberCode: string; text: string }): Promise<{ providerId: string }>;
}

export function smsProvider(kind: MembersConfig['smsProvider'], log: Logger): SmsProvider | null {
  switch (kind) {
    case 'off':
      return null;
    case 'log':
      return {
        name: 'log',
        send: async ({ memberCode, text }) => {
          log.info({ memberCode, text }, 'sms (log provider): not sent');
          return { providerId: `log:${memberCode}` };
        },
      };
  }
}
