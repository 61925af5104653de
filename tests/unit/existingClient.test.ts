import { describe, expect, it } from 'vitest';
import { clientVerdict, existingClientTag } from '@/utils/team/existingClient';
import { chooseAssignee } from '@/utils/team/assignment';
import { DEFAULT_SETTINGS, type FirmSettings, type StaffMember } from '@/utils/settings';

const staff: StaffMember[] = [
  { id: 'sam', name: 'Sam Carter', role: 'attorney', crmUserIds: { clio: '345', hubspot: '77' } },
  { id: 'dee', name: 'Dee Wong', role: 'attorney', email: 'dee@firm.example' },
  { id: 'ana', name: 'Ana Lopez', role: 'intake' },
];
const contact = { id: '9', name: 'Maria Lopez', phones: ['+1 212 555 0143'] };

describe('existing-client detection', () => {
  it('HubSpot: lifecycle stage customer is a client, routed to the contact owner', () => {
    expect(
      existingClientTag(
        [{ system: 'hubspot', contact: { ...contact, lifecycleStage: 'customer', ownerId: '77' } }],
        staff,
      ),
    ).toEqual({
      system: 'hubspot',
      reason: 'HubSpot lifecycle stage: customer',
      ownerStaffId: 'sam',
    });
  });

  it('HubSpot: a lead or opportunity is not a client', () => {
    for (const stage of ['lead', 'opportunity', 'marketingqualifiedlead', undefined])
      expect(
        clientVerdict({ system: 'hubspot', contact: { ...contact, lifecycleStage: stage } }),
      ).toBeUndefined();
  });

  it('Clio: is_client is a client (no matter: nobody to route to, the rules decide)', () => {
    expect(
      existingClientTag(
        [{ system: 'clio', contact: { ...contact, isClient: true }, matters: [] }],
        staff,
      ),
    ).toEqual({
      system: 'clio',
      reason: 'Clio client',
    });
    expect(
      existingClientTag(
        [{ system: 'clio', contact: { ...contact, isClient: false }, matters: [] }],
        staff,
      ),
    ).toBeUndefined();
  });

  it('Clio: an open matter makes a client and names the responsible attorney', () => {
    const tag = existingClientTag(
      [
        {
          system: 'clio',
          contact: { ...contact, isClient: false },
          matters: [
            { id: '1', displayNumber: '00012-Lopez', status: 'open', responsibleAttorneyId: '345' },
          ],
        },
      ],
      staff,
    );
    expect(tag).toEqual({ system: 'clio', reason: 'Clio matter 00012-Lopez', ownerStaffId: 'sam' });
  });

  it('an owner known only through the CRM staff mapping (Options → CRM) is still found', () => {
    const tag = existingClientTag(
      [{ system: 'hubspot', contact: { ...contact, lifecycleStage: 'customer', ownerId: '88' } }],
      staff,
      { hubspot: { dee: '88' } },
    );
    expect(tag?.ownerStaffId).toBe('dee');
  });

  it('of several matching contacts, the one routed to our staff wins; none a client: no tag', () => {
    const tag = existingClientTag(
      [
        {
          system: 'hubspot',
          contact: { ...contact, id: '1', lifecycleStage: 'customer', ownerId: '999' },
        },
        {
          system: 'hubspot',
          contact: { ...contact, id: '2', lifecycleStage: 'customer', ownerId: '77' },
        },
      ],
      staff,
    );
    expect(tag?.ownerStaffId).toBe('sam');
    expect(existingClientTag([{ system: 'hubspot', contact }], staff)).toBeUndefined();
  });

  it('routing: the responsible attorney gets the call, even after hours and over round robin', () => {
    const settings: FirmSettings = {
      ...DEFAULT_SETTINGS,
      staff,
      onCall: { handover: '08:00', weekly: Array(7).fill('dee'), swaps: [] },
    };
    const saturday = Date.UTC(2026, 11, 12, 18);
    const lead = {
      existingClient: { system: 'clio' as const, reason: 'Clio client', ownerStaffId: 'sam' },
    };
    expect(chooseAssignee(settings, lead, undefined, saturday).choice).toEqual({
      assignee: 'sam',
      reason: 'responsible attorney',
    });
    // A client with nobody to route to: the usual rules (here: on call).
    expect(
      chooseAssignee(
        settings,
        { existingClient: { system: 'clio', reason: 'Clio client' } },
        undefined,
        saturday,
      ).choice?.assignee,
    ).toBe('dee');
  });
});
