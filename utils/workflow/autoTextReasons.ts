/**
 * Why an automatic text did not go, in the staff's words. Apart from the rules (autoText.ts)
 * so the sidebar can show them without bundling the caller time-zone table.
 */

export type SkipReason =
  | 'off'
  | 'source-off'
  | 'not-live'
  | 'answered'
  | 'no-callback-number'
  | 'called-back'
  | 'opted-out'
  | 'not-mobile'
  | 'texted-recently'
  | 'captured-late'
  | 'no-sms-connection'
  | 'flood'
  | 'failed';

/** Why no text went, in the staff's words. */
export const SKIP_REASON_LABELS: Record<SkipReason, string> = {
  off: 'Automatic texts are off',
  'source-off': 'Automatic texts are off for this source',
  'not-live': 'Imported or entered by hand',
  answered: 'The call was answered',
  'no-callback-number': 'No callback number',
  'called-back': 'Already called back or closed',
  'opted-out': 'The number opted out of texts',
  'not-mobile': 'The provider said this number cannot receive texts (landline)',
  'texted-recently': 'Already sent an automatic text in the last 24 hours',
  'captured-late': 'Seen too late (the browser was closed or the call log came in late)',
  'no-sms-connection': 'No SMS connection could send at the time',
  flood: 'Too many automatic texts in the last hour (a guard against floods of fake calls)',
  failed: 'The text could not be prepared or queued',
};

/** Skips that mean "this caller expected a text and got none": staff text them first. */
export const FLAGGED_REASONS: readonly SkipReason[] = [
  'captured-late',
  'no-sms-connection',
  'flood',
  'failed',
];

/** Why a lead is marked "No auto-text sent", for its title and the lead's note. */
export const NO_AUTO_TEXT_EXPLANATIONS: Record<
  'captured-late' | 'no-sms-connection' | 'flood' | 'failed',
  string
> = {
  'captured-late':
    'The call was seen too late for the automatic text (no browser with Callback Desk was running when it came in).',
  'no-sms-connection': 'No texting connection could send when the call came in.',
  flood:
    'More missed calls than usual came in within an hour, so automatic texts paused (a guard against fake calls run up on the firm’s texting bill).',
  failed: 'The automatic text could not be prepared or queued.',
};
