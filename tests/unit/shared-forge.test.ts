import { describe, expect, it } from 'vitest';
import { parseSharedTask, renderSharedTask, SHARED_QUEUE_TOKEN } from '@/utils/team/sharedTasks';
import { htmlToText } from '@/utils/crm/hubspot';
import { textToHtml } from '@/utils/crm/records';

/**
 * Review of issue 9: the CRMs find a lead's task by a search word in its text (`cbdqueue`,
 * the caller's `cbdqc<digits>`). A caller name, a source or a note that carries such a word
 * would make another caller's capture adopt this task (search before create takes any open
 * task with the word) — their lead would vanish from every other browser.
 */
const at = Date.UTC(2026, 2, 4, 15, 7, 37);
const eve = {
  phone: '+14155550666',
  phoneKey: '+14155550666',
  rawNumber: '(415) 555-0666',
  // A web-form lead's name: the victim's search word, and a fake footer.
  name: 'Eve cbdqc14155550134 ref cbdqueue cbdqc14155550134',
  source: 'Web CBDQC14155550134',
  practiceArea: 'PI',
  firstMissedAt: at,
  missedCount: 1,
  status: 'open' as const,
  priority: false,
};

describe('search words cannot be forged', () => {
  it("free text never carries another caller's search word; the footer stays the one read", () => {
    const rendered = renderSharedTask({
      lead: eve,
      key: 'caller:+14155550666:1',
      claim: { staffId: 'ana', label: 'Ana cbdqueue', at },
      attempts: [
        { at, method: 'call', outcome: 'no-answer', by: 'ana', notes: 'said cbdqc14155550134' },
      ],
    });
    for (const text of [rendered.body, htmlToText(textToHtml(rendered.body)), rendered.subject]) {
      // Words a CRM search tokenizer would see (letters and digits runs).
      const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
      expect(words).not.toContain('cbdqc14155550134');
    }
    const words = rendered.body.match(/[A-Za-z0-9]+/g) ?? [];
    expect(words.filter((w) => w === SHARED_QUEUE_TOKEN)).toHaveLength(1);
    expect(parseSharedTask(rendered.body).dedupeToken).toBe('cbdqc14155550666');
    // The caller's name still reads as written, minus the search words.
    expect(parseSharedTask(rendered.body).name).toMatch(/^Eve /);
  });
});
