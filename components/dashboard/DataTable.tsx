import { useMemo, useState } from 'react';
import {
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from '@tanstack/react-table';
import { downloadCsv } from './exportCsv';
import { formatRate, percentValue } from './format';

export type Cell = string | number | null;

/** One column of a figure's table: its raw value (sorting, CSV) and how it reads on screen. */
export interface TableColumn<Row> {
  id: string;
  header: string;
  value: (row: Row) => Cell;
  /** Shown text; default: the value ("—" when null). */
  display?: (row: Row) => string;
  numeric?: boolean;
}

/**
 * A rate column: sorted and exported as a percentage, shown as "42 %" ("—" when there is
 * none). `unknown` is shown instead when the rate is null because it cannot be known.
 */
export function rateColumn<Row>(
  id: string,
  header: string,
  rate: (row: Row) => number | null | undefined,
  options: { unknown?: string; display?: (row: Row) => string } = {},
): TableColumn<Row> {
  return {
    id,
    header,
    value: (row) => percentValue(rate(row)),
    display:
      options.display ??
      ((row) => {
        const value = rate(row);
        return value === null && options.unknown ? options.unknown : formatRate(value);
      }),
    numeric: true,
  };
}

/**
 * The table beside a chart: the same numbers, readable by screen readers and sortable, with
 * the rows downloadable as CSV. Cells are React text, never markup.
 */
export function DataTable<Row>({
  caption,
  columns,
  rows,
  fileName,
}: {
  caption: string;
  columns: readonly TableColumn<Row>[];
  rows: readonly Row[];
  /** CSV file name without extension. */
  fileName: string;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const defs = useMemo<ColumnDef<Row>[]>(
    () =>
      columns.map((column) => ({
        id: column.id,
        header: column.header,
        accessorFn: (row: Row) => column.value(row),
        sortUndefined: 'last',
        sortingFn: 'basic',
        cell: ({ row }) => {
          if (column.display) return column.display(row.original);
          const value = column.value(row.original);
          return value === null ? '—' : typeof value === 'number' ? value.toLocaleString() : value;
        },
        meta: { numeric: column.numeric },
      })),
    [columns],
  );
  const data = useMemo(() => [...rows], [rows]);
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data,
    columns: defs,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });
  const exportRows = () =>
    downloadCsv(
      fileName,
      columns.map((c) => c.header),
      rows.map((row) => columns.map((c) => c.value(row))),
    );

  return (
    <div className="figure-table">
      <div className="figure-table-actions">
        <button
          type="button"
          className="secondary small"
          onClick={exportRows}
          disabled={rows.length === 0}
          aria-label={`Export CSV: ${caption}`}
        >
          Export CSV
        </button>
      </div>
      <div className="figure-table-scroll">
        <table className="data-table">
          <caption>{caption}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const numeric = (header.column.columnDef.meta as { numeric?: boolean })?.numeric;
                  const sorted = header.column.getIsSorted();
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      className={numeric ? 'num' : undefined}
                      aria-sort={
                        sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'
                      }
                    >
                      <button
                        type="button"
                        className="sort-button"
                        onClick={header.column.getToggleSortingHandler()}
                      >
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        <span aria-hidden="true">
                          {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                        </span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  Nothing in this range.
                </td>
              </tr>
            ) : (
              table.getRowModel().rows.map((row) => (
                <tr key={row.id}>
                  {row.getVisibleCells().map((cell) => {
                    const numeric = (cell.column.columnDef.meta as { numeric?: boolean })?.numeric;
                    return (
                      <td key={cell.id} className={numeric ? 'num' : undefined}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </td>
                    );
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
