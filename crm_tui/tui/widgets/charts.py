"""Terminal charts: the repurchase-interval histogram, lift with its interval, a ROC curve."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from textual_plotext import PlotextPlot

from crm_tui.language import _
from evaluation import Comparison
from evaluation.metrics import METRICS


class IntervalHistogram(PlotextPlot):
    """First-to-second purchase intervals with the lifecycle thresholds marked."""

    def draw(self, intervals: np.ndarray, thresholds: Sequence[float]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if len(intervals):
            top = float(np.quantile(intervals, 0.99))
            shown = intervals[intervals <= top]
            bins = min(40, max(5, len(set(shown.tolist()))))
            plt.hist(shown.tolist(), bins=bins)
            # customers come whole: plotext's own ticks read 0.83 on a small shop
            ticks = count_ticks(int(np.histogram(shown, bins=bins)[0].max()))
            plt.yticks([float(t) for t in ticks], [str(t) for t in ticks])
            for value in thresholds:
                plt.vline(float(value), "red")
            plt.xlim(0, max(top, float(thresholds[-1])) * 1.02)
            plt.title(_("Days from first to second purchase (to p99); red: 30/60/90% thresholds"))
            plt.xlabel(_("days"))
        self.refresh()


def count_ticks(top: int, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 to at least top, no more than `most` of them."""
    step = max(1, -(-top // (most - 1)))
    return list(range(0, top + step, step))


def percent_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round ticks (1, 2, 2.5 or 5 times a power of ten apart) covering low..high and 0."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = max(high - low, 1e-9)
    power = 10.0 ** math.floor(math.log10(span / (most - 1)))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if span / (m * power) <= most - 1)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [k * step for k in range(first, last + 1)]


class LiftChart(PlotextPlot):
    """Relative lift of each metric against the control, with its confidence interval."""

    def draw(self, comparisons: Sequence[Comparison]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        rows = [  # an interval the data cannot bound has no bar to draw
            c
            for c in comparisons
            if c.result.rel_ci is not None
            and np.isfinite([c.result.rel_lift, *c.result.rel_ci]).all()
        ]
        if rows:
            x = [float(i) for i in range(1, len(rows) + 1)]
            for i, c in zip(x, rows, strict=True):
                assert c.result.rel_ci is not None
                low, high = 100 * c.result.rel_ci[0], 100 * c.result.rel_ci[1]
                plt.plot([i, i], [low, high], color="blue")  # the interval
            plt.scatter(x, [100 * c.result.rel_lift for c in rows], marker="●", color="orange")
            plt.hline(0.0, "gray")
            ends = [100 * e for c in rows if c.result.rel_ci is not None for e in c.result.rel_ci]
            ticks = percent_ticks(min(ends), max(ends))  # plotext's own left 0 unlabelled
            plt.yticks(ticks, [f"{t:+g}" if t else "0" for t in ticks])
            plt.xticks(x, [_short(c.metric) for c in rows])  # full names overlap and vanish
            plt.xlim(0.5, len(rows) + 0.5)
            plt.title(_("Lift vs control, % (dot) with its confidence interval (bar)"))
        self.refresh()


def _short(metric: str) -> str:
    known = METRICS.get(metric)
    return known.short if known is not None and known.short else metric.replace("_", " ")


class RocChart(PlotextPlot):
    """A classifier's ROC curve on its check, against chance."""

    def draw(self, points: Sequence[tuple[float, float]], auc: float) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if points:
            ordered = sorted(points)
            plt.plot([p[0] for p in ordered], [p[1] for p in ordered], color="orange")
            plt.plot([0.0, 1.0], [0.0, 1.0], color="gray")
            plt.xlim(0, 1)
            plt.ylim(0, 1)
            plt.title(
                _("ROC of churn_risk on its check: AUC {auc:.3f} (gray: chance)").format(auc=auc)
            )
            plt.xlabel(_("share of non-returners flagged"))
        self.refresh()
