// Charts of the lead's figures, drawn by Chart.js on a canvas: no inline script, no style
// sheet injected, and nothing that writes over a frozen prototype (the app freezes
// Object.prototype), so it renders under the app's strict CSP. Loaded only when a lead opens
// the figures. The numbers stay beside each chart, in the tables.
import { useEffect, useRef } from "react";
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from "chart.js";
import type { Agreement, AuditStats } from "./bindings";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const COLORS = { approve: "#2e7d32", decline: "#c62828", resubmit: "#ef6c00", count: "#1565c0", p90: "#90caf9" };

/** A name short enough for an axis: "Amira Ben Salah <amira@…>" becomes "Amira Ben Salah". */
const short = (who: string) => who.replace(/\s*<.*>$/, "");

type Bars = { label: string; values: (number | null)[]; color: string }[];

/** One bar chart: categories along the bottom, a series per colour (stacked when asked). */
function BarChart(props: { title: string; testId: string; labels: string[]; bars: Bars; stacked?: boolean; max?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // Drawn again only when what it shows changes (the arrays are rebuilt on every render).
  const shown = JSON.stringify({ labels: props.labels, bars: props.bars, stacked: props.stacked ?? false, max: props.max });
  useEffect(() => {
    if (!canvas.current) return;
    const { labels, bars, stacked, max } = JSON.parse(shown) as { labels: string[]; bars: Bars; stacked: boolean; max?: number };
    const config: ChartConfiguration<"bar", (number | null)[], string> = {
      type: "bar",
      data: { labels, datasets: bars.map((b) => ({ label: b.label, data: b.values, backgroundColor: b.color })) },
      options: {
        animation: false,
        responsive: false,
        plugins: { legend: { display: bars.length > 1 } },
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, max, ticks: { precision: 0 } } },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [shown]);
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <canvas ref={canvas} width={420} height={200} role="img" aria-label={props.title} />
    </figure>
  );
}

/** Decisions per day, the verdict mix per reviewer, and the time from opening to deciding. */
export default function FiguresCharts({ stats }: { stats: AuditStats }) {
  const people = stats.reviewers;
  const who = people.map((f) => short(f.reviewer));
  const round = (s: number | null) => (s == null ? null : Math.round(s));
  return (
    <div className="charts">
      <BarChart title="Decisions per day (team)" testId="chart-per-day" labels={stats.team.perDay.map(([day]) => day.slice(5))}
        bars={[{ label: "decisions", values: stats.team.perDay.map(([, n]) => n), color: COLORS.count }]} />
      <BarChart title="Verdicts per reviewer" testId="chart-verdicts" labels={who} stacked bars={[
        { label: "approve", values: people.map((f) => f.approved), color: COLORS.approve },
        { label: "decline", values: people.map((f) => f.declined), color: COLORS.decline },
        { label: "resubmit", values: people.map((f) => f.resubmitted), color: COLORS.resubmit },
      ]} />
      <BarChart title="Open → decide, seconds (median, p90)" testId="chart-waits" labels={who} bars={[
        { label: "median", values: people.map((f) => round(f.openToDecideMedianS)), color: COLORS.count },
        { label: "p90", values: people.map((f) => round(f.openToDecideP90S)), color: COLORS.p90 },
      ]} />
    </div>
  );
}

/** Agreement rate (percent) per reviewer or per warning code. */
export function AgreementChart({ title, rows, testId }: { title: string; rows: Agreement[]; testId: string }) {
  return (
    <BarChart title={title} testId={testId} labels={rows.map((a) => short(a.key))} max={100}
      bars={[{ label: "agreed, %", values: rows.map((a) => Math.round(a.rate * 100)), color: COLORS.approve }]} />
  );
}
