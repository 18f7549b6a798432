"""Report charts: matplotlib Figure objects on the Agg backend, one colour-blind-safe style, PNG data URIs.

Voices are told apart by colour (Okabe-Ito palette) and by marker shape, so charts survive black-and-white print.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from scipy import stats

from symmetry.stats import MeanEstimate

DPI = 150
INK = "#222222"
MUTED = "#9a9a9a"
VOICE_STYLE = {
    "employee": {"color": "#0072B2", "marker": "o"},
    "mirror": {"color": "#E69F00", "marker": "s"},
    "customer": {"color": "#009E73", "marker": "D"},
}
FONT = {"family": "DejaVu Sans", "size": 8}


class Chart(Protocol):
    """A chart described by its data and labels, drawn when the report is rendered."""

    def draw(self) -> str:
        """The chart as a PNG data URI."""
        ...


def _figure(width_in: float, height_in: float) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(width_in, height_in), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=FONT["size"], colors=INK)
    return figure, axes


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True, slots=True)
class MirrorSeries:
    """One voice's estimates across the dimensions, in the dimensions' order (None where not shown)."""

    voice: str
    label: str
    estimates: Sequence[MeanEstimate | None]


@dataclass(frozen=True, slots=True)
class MirrorChart:
    """The three voices side by side for each dimension, as points with their 95% intervals."""

    dimension_labels: Sequence[str]
    series: Sequence[MirrorSeries]
    axis_label: str

    def draw(self) -> str:
        """The chart as a PNG data URI."""
        return _mirror_chart(self.dimension_labels, self.series, axis_label=self.axis_label)


def _mirror_chart(dimension_labels: Sequence[str], series: Sequence[MirrorSeries], *, axis_label: str) -> str:
    height = 0.42 * len(dimension_labels) + 1.0
    figure, axes = _figure(6.6, height)
    figure.subplots_adjust(left=0.24, right=0.97, top=1 - 0.55 / height, bottom=0.5 / height)
    positions = np.arange(len(dimension_labels))[::-1].astype(float)
    offsets = np.linspace(0.22, -0.22, len(series))
    for offset, voice in zip(offsets, series, strict=True):
        style = VOICE_STYLE[voice.voice]
        shown = [(y + offset, e) for y, e in zip(positions, voice.estimates, strict=True) if e is not None]
        if not shown:
            continue
        ys = [y for y, _ in shown]
        means = np.array([e.mean for _, e in shown])
        lows = np.array([e.ci[0] if np.isfinite(e.ci[0]) else e.mean for _, e in shown])
        highs = np.array([e.ci[1] if np.isfinite(e.ci[1]) else e.mean for _, e in shown])
        axes.errorbar(
            np.clip(means, 1, 5),
            ys,
            xerr=[np.clip(means - lows, 0, None), np.clip(highs - means, 0, None)],
            fmt=style["marker"],
            color=style["color"],
            ecolor=style["color"],
            elinewidth=1.2,
            capsize=2,
            markersize=5,
            label=voice.label,
        )
    axes.set_yticks(positions, dimension_labels, fontsize=FONT["size"], color=INK)
    axes.set_xlim(1, 5)
    axes.set_xticks([1, 2, 3, 4, 5])
    axes.set_xlabel(axis_label, fontsize=FONT["size"], color=INK)
    axes.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    axes.set_axisbelow(True)
    figure.legend(loc="upper center", ncol=len(series), fontsize=7, frameon=False, handletextpad=0.3)
    return _data_uri(figure)


@dataclass(frozen=True, slots=True)
class ScatterChart:
    """Teams as unlabelled points, one of them highlighted, with an optional regression line and its 95% band."""

    employee: Sequence[float]
    customer: Sequence[float]
    x_label: str
    y_label: str
    format_number: Callable[[float], str]
    highlight: int | None = None
    highlight_label: str = ""
    others_label: str = ""
    regression_label: str | None = None

    def draw(self) -> str:
        """The chart as a PNG data URI."""
        return _scatter_chart(self)


def _scatter_chart(chart: ScatterChart) -> str:
    employee, customer, highlight = chart.employee, chart.customer, chart.highlight
    x_label, y_label, format_number = chart.x_label, chart.y_label, chart.format_number
    highlight_label, others_label, regression_label = chart.highlight_label, chart.others_label, chart.regression_label
    figure, axes = _figure(5.4, 3.6)
    figure.subplots_adjust(left=0.13, right=0.97, top=0.9, bottom=0.14)
    x, y = np.asarray(employee, dtype=float), np.asarray(customer, dtype=float)
    others = np.ones(x.size, dtype=bool)
    if highlight is not None:
        others[highlight] = False
    axes.scatter(
        x[others], y[others], s=18, color=MUTED, edgecolors="white", linewidths=0.4, label=others_label or None
    )
    if regression_label is not None and x.size >= 3 and np.ptp(x) > 0:
        grid, fit, low, high = _regression_band(x, y)
        axes.fill_between(grid, low, high, color=VOICE_STYLE["employee"]["color"], alpha=0.15, linewidth=0)
        axes.plot(grid, fit, color=VOICE_STYLE["employee"]["color"], linewidth=1.4, label=regression_label)
    if highlight is not None:
        axes.scatter(
            x[highlight],
            y[highlight],
            s=70,
            marker="D",
            color=VOICE_STYLE["customer"]["color"],
            edgecolors=INK,
            linewidths=0.8,
            label=highlight_label,
            zorder=3,
        )
    axes.set_xlabel(x_label, fontsize=FONT["size"], color=INK)
    axes.set_ylabel(y_label, fontsize=FONT["size"], color=INK)
    axes.grid(color="#eeeeee", linewidth=0.6)
    axes.set_axisbelow(True)
    tick_format = FuncFormatter(lambda value, _position: format_number(value))
    for axis in (axes.xaxis, axes.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        axis.set_major_formatter(tick_format)
    figure.legend(loc="upper center", ncol=3, fontsize=7, frameon=False)
    return _data_uri(figure)


def _regression_band(
    x: np.ndarray, y: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares line with the confidence band of the mean prediction."""
    fit = stats.linregress(x, y)
    grid = np.linspace(x.min(), x.max(), 50)
    prediction = fit.intercept + fit.slope * grid
    residual_sd = np.sqrt(np.sum((y - fit.intercept - fit.slope * x) ** 2) / (x.size - 2))
    spread = residual_sd * np.sqrt(1 / x.size + (grid - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    t = stats.t.ppf(0.5 + confidence / 2, x.size - 2)
    return grid, prediction, prediction - t * spread, prediction + t * spread
