import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type RowData,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { needsTextFirst, type Lead } from '@/utils/model';
import { NO_AUTO_TEXT_EXPLANATIONS } from '@/utils/workflow/autoTextReasons';
import type { FirmSettings, StaffMember } from '@/utils/settings';
import { describeStep, methodsLabel, nextStepOf } from '@/utils/queue/cadence';
import { describeDue, urgencyAt } from '@/utils/queue/sla';
import { callerLines, staffName } from '@/utils/queue/queueView';
import { describeAssignment } from '@/utils/team/assignment';
import type { FirmClock } from '@/utils/displayTime';

declare module '@tanstack/react-table' {
  // Cells read the ticking clock and display settings from the table, so the column
  // definitions stay constant and a tick re-renders only the visible cells.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface TableMeta<TData extends RowData> {
    now: number;
    clock: FirmClock;
    defaultCountry: string;
    staff: readonly StaffMember[];
    /** The firm's cadence and source rules (each lead's next step). */
    cadence?: Pick<FirmSettings, 'cadence' | 'sourceRules'>;
  }
}

/** Two text lines per row; fixed so the virtualiser needs no measuring. */
export const ROW_HEIGHT = 46;

const STATUS_LABELS: Record<Lead['status'], string> = {
  open: 'Open',
  claimed: 'Claimed',
  done: 'Closed',
  'no-contact': 'No contact',
};

const columns: ColumnDef<Lead>[] = [
  {
    id: 'caller',
    header: 'Caller',
    cell: ({ row, table }) => (
      <CallerCell lead={row.original} defaultCountry={table.options.meta!.defaultCountry} />
    ),
  },
  {
    id: 'due',
    header: 'Due',
    cell: ({ row, table }) => {
      const { now, clock } = table.options.meta!;
      return <DueCell lead={row.original} now={now} clock={clock} />;
    },
  },
  {
    // Source and practice area share one two-line column, so a 400 px sidebar shows both
    // whole instead of cutting the practice area to a letter at the edge.
    id: 'tags',
    header: 'Source · Area',
    cell: ({ row }) => <TagsCell lead={row.original} />,
  },
  {
    id: 'step',
    header: 'Next step',
    cell: ({ row, table }) => {
      const { now, clock, cadence } = table.options.meta!;
      return <StepCell lead={row.original} settings={cadence} now={now} clock={clock} />;
    },
  },
  {
    id: 'missedCount',
    header: 'Missed',
    cell: ({ row }) => <span className="num">{row.original.missedCount}</span>,
  },
  {
    id: 'lastMissedAt',
    header: 'Last missed',
    cell: ({ row, table }) => {
      const { now, clock } = table.options.meta!;
      return (
        <span className="cell-clip" title={clock.full(row.original.lastMissedAt)}>
          {clock.short(row.original.lastMissedAt, now)}
        </span>
      );
    },
  },
  {
    id: 'attemptCount',
    header: 'Attempts',
    cell: ({ row }) => <span className="num">{row.original.attemptCount}</span>,
  },
  {
    id: 'assignee',
    header: 'Assignee',
    cell: ({ row, table }) => {
      // Whoever took it (a claim, here or in another browser), else whom the rules gave it.
      const lead = row.original;
      const name = staffName(table.options.meta!.staff, lead.claimedBy ?? lead.assignee);
      const why = lead.claimedBy
        ? `Claimed by ${name}`
        : describeAssignment(lead, table.options.meta!.staff);
      return name ? (
        <span className="cell-clip" title={why ?? name}>
          {name}
        </span>
      ) : (
        <span className="muted">Unassigned</span>
      );
    },
  },
  {
    id: 'status',
    header: 'Status',
    cell: ({ row }) => (
      <span className={`status status-${row.original.status}`}>
        {STATUS_LABELS[row.original.status]}
      </span>
    ),
  },
];

/**
 * Caller-supplied text (caller-ID names, raw numbers) sits in <bdi>: a right-to-left
 * override in a name cannot reverse the text around it.
 */
export function CallerCell({
  lead,
  defaultCountry,
}: {
  lead: Pick<Lead, 'name' | 'phone' | 'extension' | 'rawNumber' | 'noCallbackNumber' | 'priority'> &
    Partial<Pick<Lead, 'noAutoText' | 'lastAttemptAt' | 'status'>>;
  defaultCountry: string;
}) {
  const caller = callerLines(lead, defaultCountry);
  const textFirst = lead.status ? needsTextFirst({ ...lead, status: lead.status }) : undefined;
  return (
    <div className="cell-stack">
      <span className="cell-main caller-name" title={caller.title}>
        {lead.priority && (
          <span className="priority-dot" title="Priority source" aria-label="Priority" />
        )}
        <bdi>{caller.title}</bdi>
      </span>
      {caller.noCallbackNumber ? (
        <span className="flag flag-nocallback">No callback number</span>
      ) : (
        caller.subtitle && (
          <span className="cell-sub">
            <bdi>{caller.subtitle}</bdi>
          </span>
        )
      )}
      {textFirst && (
        <span
          className="flag flag-noautotext"
          title={`${NO_AUTO_TEXT_EXPLANATIONS[textFirst.reason]} Text this caller first.`}
        >
          No auto-text sent — text first
        </span>
      )}
    </div>
  );
}

/** "due in 12m" over "due 9:14 AM" (the target), or "overdue 5m" over "limit 9:30 AM". */
export function DueCell({
  lead,
  now,
  clock,
}: {
  lead: Pick<Lead, 'dueAt' | 'overdueAt' | 'status' | 'noContactAt'>;
  now: number;
  clock: FirmClock;
}) {
  if (lead.status === 'no-contact') {
    return (
      <div className="cell-stack">
        <span className="cell-main">No contact</span>
        {lead.noContactAt && (
          <span className="cell-sub">since {clock.short(lead.noContactAt, now)}</span>
        )}
      </div>
    );
  }
  const urgency = urgencyAt(lead, now);
  // Before the target the time shown is the target; after it, the hard limit.
  const target = urgency === 'due';
  const time = clock.short(target ? lead.dueAt : lead.overdueAt, now);
  return (
    <div className="cell-stack">
      <span className={`cell-main due due-${urgency}`}>{describeDue(lead, now)}</span>
      <span
        className="cell-sub"
        aria-label={target ? `Call back by ${time}` : `Time limit ${time}`}
        title={`Call back by ${clock.full(lead.dueAt)}; overdue after ${clock.full(lead.overdueAt)}`}
      >
        {target ? `due ${time}` : `limit ${time}`}
      </span>
    </div>
  );
}

/** "Step 2 of 3" over "Call + voicemail + text"; the title adds the due time. */
export function StepCell({
  lead,
  settings,
  now,
  clock,
}: {
  lead: Lead;
  settings: Pick<FirmSettings, 'cadence' | 'sourceRules'> | undefined;
  now: number;
  clock: FirmClock;
}) {
  if (lead.status === 'no-contact') {
    return (
      <div className="cell-stack">
        <span className="cell-main">Cadence done</span>
        <span className="cell-sub">no contact</span>
      </div>
    );
  }
  const step = settings ? nextStepOf(settings, lead) : null;
  if (!step) return <span className="muted">—</span>;
  const sentence = `${describeStep(step)} · due ${clock.short(lead.dueAt, now)}`;
  return (
    <div className="cell-stack queue-step" title={sentence} aria-label={sentence}>
      <span className="cell-main">
        Step {step.step} of {step.total}
      </span>
      <span className="cell-sub cell-clip">{methodsLabel(step.methods)}</span>
    </div>
  );
}

function TagsCell({ lead }: { lead: Pick<Lead, 'source' | 'practiceArea'> }) {
  return (
    <div className="cell-stack">
      {lead.source ? (
        <span className="tag cell-clip" title={`Source: ${lead.source}`}>
          {lead.source}
        </span>
      ) : (
        <span className="muted" aria-label="No source">
          —
        </span>
      )}
      <span className="cell-sub" title={lead.practiceArea && `Practice area: ${lead.practiceArea}`}>
        {lead.practiceArea ?? 'No practice area'}
      </span>
    </div>
  );
}

export interface QueueTableProps {
  leads: readonly Lead[];
  now: number;
  clock: FirmClock;
  defaultCountry: string;
  staff: readonly StaffMember[];
  /** The firm's cadence and source rules, for each lead's next step. */
  cadence?: Pick<FirmSettings, 'cadence' | 'sourceRules'>;
  onOpen: (leadId: string) => void;
  /** A lead just added or returned to: scrolled into view and briefly highlighted. */
  highlightId?: string | null;
}

/**
 * The callback queue: a real table (header, columns, rows) whose body only renders the rows
 * in view, so 10,000 open leads scroll as smoothly as ten.
 */
export function QueueTable({
  leads,
  now,
  clock,
  defaultCountry,
  staff,
  cadence,
  onOpen,
  highlightId,
}: QueueTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const [activeIndex, setActiveIndex] = useState(0);

  // The app does not use the React Compiler, so nothing memoises around these hooks.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: leads as Lead[],
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (lead) => lead.id,
    meta: { now, clock, defaultCountry, staff, cadence },
  });
  const rows = table.getRowModel().rows;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length
    ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0)
    : 0;

  const focusRow = useCallback(
    (index: number) => {
      const target = Math.max(0, Math.min(rows.length - 1, index));
      setActiveIndex(target);
      virtualizer.scrollToIndex(target, { align: 'auto' });
      // The row may render only after the scroll: try again on the next frames.
      let tries = 0;
      const attempt = () => {
        const el = bodyRef.current?.querySelector<HTMLElement>(`tr[data-index="${target}"]`);
        if (el) el.focus({ preventScroll: true });
        else if (tries++ < 5) requestAnimationFrame(attempt);
      };
      requestAnimationFrame(attempt);
    },
    [rows.length, virtualizer],
  );

  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    if (!highlightId || scrolledTo.current === highlightId) return;
    const index = leads.findIndex((lead) => lead.id === highlightId);
    if (index < 0) return;
    scrolledTo.current = highlightId;
    virtualizer.scrollToIndex(index, { align: 'center' });
  }, [highlightId, leads, virtualizer]);

  const onKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, index: number, id: string) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: rows.length - 1,
    };
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(id);
    } else if (event.key in moves) {
      event.preventDefault();
      focusRow(moves[event.key]!);
    }
  };

  const tabbable = Math.min(activeIndex, rows.length - 1);

  return (
    <div className="queue-scroll" ref={scrollRef}>
      <table className="queue-table" aria-label="Callback queue" aria-rowcount={rows.length + 1}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} aria-rowindex={1}>
              {group.headers.map((header) => (
                <th
                  key={header.id}
                  scope="col"
                  className={`col-${header.column.id}`}
                  aria-sort={header.column.id === 'due' ? 'ascending' : undefined}
                >
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody ref={bodyRef}>
          {paddingTop > 0 && (
            <tr className="spacer" aria-hidden="true">
              <td colSpan={columns.length} style={{ height: paddingTop }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const lead = row.original;
            const urgency = urgencyAt(lead, now);
            const classes = [
              'queue-row',
              `row-${urgency}`,
              lead.id === highlightId ? 'row-highlight' : '',
            ].join(' ');
            return (
              <tr
                key={row.id}
                data-index={item.index}
                data-lead-id={lead.id}
                aria-rowindex={item.index + 2}
                className={classes}
                tabIndex={item.index === tabbable ? 0 : -1}
                onClick={() => {
                  setActiveIndex(item.index);
                  onOpen(lead.id);
                }}
                onFocus={() => setActiveIndex(item.index)}
                onKeyDown={(event) => onKeyDown(event, item.index, lead.id)}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={`col-${cell.column.id}`}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 && (
            <tr className="spacer" aria-hidden="true">
              <td colSpan={columns.length} style={{ height: paddingBottom }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
