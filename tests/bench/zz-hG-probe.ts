import { benchCrmSync } from '/work/main/tests/bench/crm-sync.ts';
const t = performance.now();
const r = await benchCrmSync({ outcomes: Number(process.env.O ?? 1000), scale: 10, faultRate: Number(process.env.F ?? 0) });
console.log(JSON.stringify(r.runs.map(x=>[x.requests,x.wallSeconds,x.duplicates,x.lost])), (performance.now() - t) / 1000);
process.exit(0);
