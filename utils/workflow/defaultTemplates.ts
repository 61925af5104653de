import { builtInAreaFor, type FixedTemplateId } from './templateIds';

/**
 * The scripts and messages that ship. They follow the firm's playbook (docs/product.md,
 * step 5–6): identify yourself and the firm, apologise without excuses, one open question
 * and listen, the practice area's qualifying questions, book the consultation. Lines in
 * [square brackets] are notes for the person calling, not words to read out.
 *
 * Texts, emails and voicemails do not name the practice area: someone else may read the
 * caller's phone or mailbox (a spouse in a custody fight, an employer).
 */

const OPENING = `[Introduce yourself and the firm]
{{#firstName}}Hi, is this {{firstName}}? {{/firstName}}{{^firstName}}Hi, who am I speaking with, please? {{/firstName}}This is {{staffName}} from {{firmName}}.
You called us {{timeCalled}}, and I apologize for missing your call earlier. Thank you for calling — I'm glad I reached you.
{{#sourceLine}}{{sourceLine}}. {{/sourceLine}}Is now a good time to talk for a few minutes?`;

const CLOSE = `[Confirm the details]
Is {{callerNumber}} the best number to reach you? And may I have an email address, so I can send you a confirmation?

[Close]
Thank you{{#firstName}}, {{firstName}}{{/firstName}}. You'll get a confirmation shortly. If anything comes up before then, call us at {{callbackNumber}}{{#staffName}} and ask for me, {{staffName}}{{/staffName}}.`;

const GENERAL = `${OPENING}

[One open question, then listen — do not interrupt]
How can we help you? Can you tell me what happened?

[Qualify — ask only what they have not already told you]
• When did this happen, and where (city / county / state)?
• Who else is involved — another person, a company, an agency?
• Are there any deadlines you know of: a court date, a letter with a date to respond by?
• Have you spoken with another lawyer about this?
• Is there anything urgent we should know about today?

[Book the consultation]
Thank you for telling me. The next step is a consultation with one of our attorneys, who can look at your situation and tell you your options. Our next opening is {{nextOpening}}. Does that work for you, or is another time better?
Please bring any papers you have about this (letters, contracts, court papers).

${CLOSE}`;

const PERSONAL_INJURY = `${OPENING}

[One open question, then listen — do not interrupt]
Can you tell me what happened? How are you doing now?

[Qualify — ask only what they have not already told you]
• When did the accident happen? Where?
• Were you hurt? Have you seen a doctor or been to the emergency room, and are you still being treated?
• Did the police come? Is there a police or accident report (a report number helps)?
• Who was the other driver or party, and do you know whether they have insurance?
• Have you spoken with any insurance company — theirs or yours — or signed anything or given a recorded statement?
• Have you talked with another lawyer about this accident?
[Deadlines: note the accident date. If it was more than a year ago, or a city, county, state or government vehicle or property is involved (claims can need notice within months), tell an attorney today.]

[Book the consultation]
Thank you for telling me all of that, and I'm sorry you're dealing with it. The next step is a free consultation with one of our attorneys, by phone or in our office. Our next opening is {{nextOpening}}. Does that work for you, or is another time better?
Until then, please don't talk with the other side's insurance company or sign anything they send you. Keep your medical paperwork, photos and the police report number together and bring them along.

${CLOSE}`;

const CRIMINAL_DEFENSE = `${OPENING}

[Say this before asking anything]
I'm going to ask a few quick questions so I can get you to the right attorney. Please don't tell me the details of what happened — save those for the attorney.

[One open question, then listen]
Is this about you, or about someone close to you? What's going on right now?

[Qualify — ask only what they have not already told you]
• What is the charge, as it is written on the paperwork (ticket, citation, bail or release papers)?
• When was the arrest, and in which city or county?
• Is there a court date? When, and which court?
• Is the person in custody right now? Has bail been set?
• [DUI] Was there a breath or blood test, or a refusal? Was the driver's license taken? [The deadline to ask for a license hearing can be as short as 7–30 days: flag it to an attorney today.]
• Is this the first time something like this has happened? [Only yes or no — no details needed.]
• Have you spoken with another lawyer or a public defender?

[Book the consultation]
Thank you. The next step is a confidential consultation with one of our defense attorneys. Our next opening is {{nextOpening}} — and if there is a court date or someone is in custody, I will ask an attorney to call you sooner. Does that time work?
Until you speak with the attorney, please don't discuss the case with anyone else — including the police — and don't post about it online.

${CLOSE}`;

const FAMILY_LAW = `${OPENING}

[Ask first]
Before we go on: are you somewhere you can talk freely? Are you and any children safe right now?
[If not safe: "If you are in danger, please call 911." The National Domestic Violence Hotline is 1-800-799-7233, any time. Offer to call back at a safer time and number.]

[One open question, then listen — do not interrupt]
Can you tell me what's going on and how we can help?

[Qualify — ask only what they have not already told you]
• Is this about a divorce, custody or parenting time, child support, or something else?
• Are there children? How old are they, and who do they live with now?
• Has anything been filed with the court yet? Is there a hearing or court date coming up?
• Does the other party have a lawyer?
• Is anything urgent — a move with the children, a protective order, a missed support payment?
• Have you spoken with another lawyer about this?

[Book the consultation]
Thank you for sharing that with me. The next step is a confidential consultation with one of our family law attorneys. Our next opening is {{nextOpening}}. Does that work for you, or is another time better?
[Ask which number and email are safe to use, and whether we may leave a voicemail.]

${CLOSE}`;

export const DEFAULT_TEMPLATES: Record<FixedTemplateId, string> = {
  'callScript.general': GENERAL,
  'callScript.personal-injury': PERSONAL_INJURY,
  'callScript.criminal-defense': CRIMINAL_DEFENSE,
  'callScript.family-law': FAMILY_LAW,

  objection: `[If they say "you didn't pick up" or "I already called someone else"]
I completely understand, and I'm sorry we missed you. We had an unexpected surge of calls today, and I wanted to make sure I called you back myself.
Can you tell me what happened?

[If they have already spoken with another firm]
That's fine — a lot of people speak with more than one firm. Have you signed anything with them yet?
If not, we'd be glad to hear what happened and tell you how we can help. Our next opening for a consultation is {{nextOpening}}.

[If now is a bad time]
No problem at all. When would be a better time for me to call you back? [Agree a time and write it in the notes.]`,

  voicemail: `[Speak slowly and clearly. Say the number twice.]
Hi{{#firstName}} {{firstName}}{{/firstName}}, this is {{staffName}} from {{firmName}}, returning the call you made {{timeCalled}}. I'm sorry we missed you.
Please call me back at {{callbackNumberSpoken}}.
Again, that's {{callbackNumberSpoken}}.
When you call, {{#staffName}}ask for me, {{staffName}}, or anyone on our intake team{{/staffName}}{{^staffName}}anyone on our intake team can help you{{/staffName}}. We'd like to help, and I'll also try you again soon. Thank you.
[Do not mention what the call is about: someone else may hear the message.]`,

  'greeting.inHours': `Thank you for calling {{firmName}}. We are helping other callers right now. Please leave your name, your phone number and a short message about how we can help, and we will return your call {{slaPromiseInHours}}.
If it's urgent, you can also {{alternativeContact}}.
If this is an emergency, please hang up and dial 911.`,

  'greeting.afterHours': `Thank you for calling {{firmName}}. Our office is closed right now; our hours are {{officeHours}}. Please leave your name, your phone number and a short message about how we can help, and we will return your call {{slaPromiseAfterHours}}.
If it's urgent, you can also {{alternativeContact}}.
If this is an emergency, please hang up and dial 911.`,

  'sms.textBack': `Hi {{firstName}}, this is {{staffName}} from {{firmName}}. Sorry we missed your call {{timeCalled}}. I just tried to call you back. When is a good time to talk? Reply here or call us at {{callbackNumber}}.`,

  'sms.autoText': `{{firmName}}: We missed your call. We are returning it now. If urgent, please reply to this message. Reply STOP to opt out.`,

  // The post-intake survey (issue 10): put the firm's survey link in it; without one the
  // caller answers by replying, and staff record the answers on the lead.
  'survey.text': `Hi {{firstName}}, thank you for speaking with {{firmName}}. Two quick questions: did you feel valued when we called you back, and was our response time acceptable? And from 1 (poor) to 5 (excellent), how did we do? Just reply here.`,

  'email.confirmation.subject': `{{#consultationTime}}Your consultation with {{firmName}}: {{consultationTime}}{{/consultationTime}}{{^consultationTime}}Thank you for speaking with {{firmName}}{{/consultationTime}}`,

  'email.confirmation': `{{#firstName}}Dear {{firstName}},{{/firstName}}{{^firstName}}Hello,{{/firstName}}

Thank you for speaking with me. I'm sorry again that we missed your call {{timeCalled}}.

{{#consultationTime}}As we discussed, your consultation with one of our attorneys is booked for {{consultationTime}}. Please bring any papers you have about your matter (letters, reports, court papers, insurance or medical paperwork), and a list of questions you would like to ask.
If you need to change the time, reply to this email or call us at {{callbackNumber}}.{{/consultationTime}}{{^consultationTime}}The next step is a consultation with one of our attorneys. Our next opening is {{nextOpening}}. Reply to this email or call us at {{callbackNumber}} and we will book a time that suits you.{{/consultationTime}}

If anything changes, or you have questions before then, just reply to this email.

Kind regards,
{{staffName}}
{{firmName}}
{{#callbackNumber}}{{callbackNumber}}{{/callbackNumber}}`,

  'email.cadence.subject': `Returning your call to {{firmName}}`,

  'email.cadence': `{{#firstName}}Dear {{firstName}},{{/firstName}}{{^firstName}}Hello,{{/firstName}}

You called {{firmName}} {{timeCalled}}, and I'm sorry we missed you. We have tried to call you back but have not been able to reach you.

We would still like to help. You can:
- call us at {{callbackNumber}} ({{officeHours}}), or
- reply to this email with a good time and number to reach you, and we will call you.

Kind regards,
{{staffName}}
{{firmName}}`,
};

/**
 * What a caller probably called about, from the lead's source tag and practice area, for
 * the call script's opening ("I understand you called about your car accident"). Undefined
 * when neither says anything: the script then asks.
 */
export function defaultSourceLine(
  source: string | undefined,
  practiceArea: string | undefined,
): string | undefined {
  const text = `${source ?? ''} ${practiceArea ?? ''}`.toLowerCase();
  if (source && /referr/.test(source.toLowerCase())) return 'I understand you were referred to us';
  const vehicle = /\b(motorcycle|truck|bike|bicycle|car|auto)\b/.exec(text)?.[1];
  if (vehicle && /accident|crash|injur|\bpi\b/.test(text)) {
    const kind = vehicle === 'auto' ? 'car' : vehicle === 'bike' ? 'bicycle' : vehicle;
    return `I understand you called about your ${kind} accident`;
  }
  if (/\b(dui|dwi|owi)\b/.test(text)) return 'I understand you called about a DUI charge';
  switch (builtInAreaFor(practiceArea ?? source)) {
    case 'personal-injury':
      return 'I understand you called about an accident and an injury';
    case 'criminal-defense':
      return 'I understand you called about a criminal charge';
    case 'family-law':
      return 'I understand you called about a family law matter';
    default:
      if (!practiceArea?.trim()) return undefined;
      {
        const area = practiceArea.trim().toLowerCase();
        return `I understand you called about ${/^[aeiou]/.test(area) ? 'an' : 'a'} ${area} matter`;
      }
  }
}
