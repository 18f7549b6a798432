"""Report charts: matplotlib Figure objects on the Agg backend, one colour-blind-safe style, JPEG data URIs.

Voices are told apart by colour (Okabe-Ito palette) and by marker shape and line style, so charts survive
black-and-white print. Figures are sized to the width they are printed at on the A4 page, so that no pixel is drawn
to be thrown away and 8-point text prints at 8 points. Drawing is deterministic: the JPEG is encoded here, without
any metadata, from the canvas' pixels, so the same chart gives the same bytes in every process.
"""

from __future__ import annotations

import base64
import functools
import io
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, cast

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image
from scipy import stats

from symmetry.stats import MeanEstimate

DPI = 150
TEXT_WIDTH_IN = (210 - 2 * 16) / 25.4
"""The A4 text width of report.css (210 mm less two 16 mm margins): the printed width of ``img.chart``."""
NARROW_WIDTH_IN = 0.68 * TEXT_WIDTH_IN
"""The printed width of ``img.chart.scatter`` (68% of the text width)."""
SCREEN_WIDTH_IN = 3.6
"""The width of a chart drawn for a web page: shown at its 540 pixels on a computer and scaled down to about 360 on a
phone, where its 8-point text is still about 11 CSS pixels high (an A4-wide chart would shrink it to 5)."""
MIRROR_LABELS_IN = 0.22 * TEXT_WIDTH_IN
"""The mirror chart's room for its dimension labels, whatever its width."""
INK = "#222222"
MUTED = "#9a9a9a"
GRID = "#e5e5e5"


class VoiceStyle(TypedDict):
    """How a voice is drawn: its colour, and a marker and a line style that tell it apart in black and white."""

    color: str
    marker: str
    linestyle: Literal["-", "--", ":"]


VOICE_STYLE: dict[str, VoiceStyle] = {
    "employee": {"color": "#0072B2", "marker": "o", "linestyle": "-"},
    "mirror": {"color": "#E69F00", "marker": "s", "linestyle": "--"},
    "customer": {"color": "#009E73", "marker": "D", "linestyle": ":"},
}
FONT = {"family": "DejaVu Sans", "size": 8}
LEGEND_SIZE = 7
LEGEND_LINE_IN = 0.16
"""The height of a line of the legend (7-point text and its spacing)."""
MIN_TREND_WAVES = 2
# Every setting that changes the pixels and is not passed to the artists: a matplotlibrc of the machine must not
# change the charts. A short list, because rc_context validates each entry on every chart.
_RC: dict[Any, Any] = {
    "font.family": FONT["family"],
    "font.size": FONT["size"],
    "axes.unicode_minus": True,
    "text.antialiased": True,
    "text.hinting": "default",
    "lines.antialiased": True,
    "patch.antialiased": True,
    "path.simplify": True,
    "hatch.linewidth": 0.6,
    "hatch.color": INK,
    "axes.linewidth": 0.8,
    "xtick.major.width": 0.8,
    "ytick.major.width": 0.8,
    "xtick.major.size": 3.5,
    "ytick.major.size": 3.5,
    "xtick.major.pad": 3.5,
    "ytick.major.pad": 3.5,
    "legend.handlelength": 2.0,
}


_reusable = threading.local()


Pixels = npt.NDArray[np.uint8]
"""A chart's pixels: (height x width x 3) 8-bit RGB, opaque."""


class Chart:
    """A chart described by its data and labels, drawn when the report is rendered."""

    __slots__ = ()

    def pixels(self) -> Pixels:
        """The chart as drawn on the canvas, before encoding."""
        raise NotImplementedError

    def draw(self) -> str:
        """The chart as a JPEG data URI."""
        return "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes(self.pixels())).decode("ascii")


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(_RC):
        yield


def _new_figure(width_in: float, height_in: float) -> tuple[Figure, Axes]:
    """A blank figure on an Agg canvas, with the report's axes: no top or right spine, ticks in the report's ink."""
    figure = Figure(figsize=(width_in, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=FONT["size"], colors=INK)
    return figure, axes


def _figure(kind: str, width_in: float, height_in: float) -> tuple[Figure, Axes]:
    """A blank figure and axes for a chart of `kind`, reused within a thread of a process.

    Making an Axes and its ticks costs a third of a chart; a kind of chart makes the same settings on every draw,
    so the figure of the previous chart of the same kind and size is emptied and reused (the tests check that a
    reused figure draws the same bytes as a new one).
    """
    figures: dict[tuple[str, float, float], tuple[Figure, Axes]] = _reusable.__dict__.setdefault("figures", {})
    key = (kind, width_in, height_in)
    if key in figures:
        figure, axes = figures[key]
        for legend in list(figure.legends):
            legend.remove()
        for container in list(axes.containers):
            container.remove()
        for group in (axes.lines, axes.patches, axes.collections, axes.texts, axes.images, axes.artists):
            for artist in list(group):  # the data artists; spines, axes, ticks and labels stay
                artist.remove()
        axes.relim()
        axes.set_autoscale_on(True)
        return figure, axes
    figures[key] = _new_figure(width_in, height_in)
    return figures[key]


JPEG_QUALITY = 95
"""Pixels within a few levels of the canvas' (49 to 54 dB of PSNR on the tests' charts, where 40 is hard to see), at
a fraction of a PNG's CPU; the PDF grows by about 40 KB a chart."""


def jpeg_bytes(rgb: Pixels, dpi: float = DPI) -> bytes:
    """A baseline JPEG of a (height x width x 3) uint8 array, with its resolution and no other metadata.

    WeasyPrint embeds a JPEG as it is, where it decodes a PNG and compresses it again (a sixth of a report's CPU);
    colour is kept at full resolution (4:4:4), so thin coloured lines and small text keep their edges.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected a (height x width x 3) uint8 array, got {rgb.shape} {rgb.dtype}")
    encoded = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb), "RGB").save(
        encoded, "JPEG", quality=JPEG_QUALITY, subsampling=0, dpi=(dpi, dpi)
    )
    return encoded.getvalue()


def _canvas_pixels(figure: Figure) -> Pixels:
    canvas = cast(FigureCanvasAgg, figure.canvas)  # _figure attached an Agg canvas
    canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib's backend_agg has no annotations
    return _rgb_copy(canvas)


def _rgb_copy(canvas: FigureCanvasAgg) -> Pixels:
    """The canvas' pixels without alpha, copied: the canvas is drawn over by the next chart of its kind."""
    return np.array(np.asarray(canvas.buffer_rgba())[:, :, :3])  # type: ignore[no-untyped-call]


@dataclass(slots=True)
class _Background:
    """What the reports of a wave share in one kind of chart, drawn once and kept as pixels."""

    drawn_for: object
    canvas: FigureCanvasAgg
    axes: Axes
    pixels: Any


def _over_background(
    kind: str,
    drawn_for: object,
    draw_background: Callable[[], tuple[Figure, Axes]],
    report_artists: Callable[[Axes], Sequence[Artist]],
) -> Pixels:
    """A chart of a report: the background shared with other reports, and the artists of this one drawn over it.

    Axes, ticks, labels, grid and legend are most of a chart's drawing, and within a wave every team's chart of a
    kind has the same (`drawn_for` says what it depends on). They are drawn once per thread and kept as pixels;
    each report restores the pixels and draws its own artists over them, in their order, and takes them away.
    The bytes are the same whether the background was drawn now or before (the tests check it).
    """
    backgrounds: dict[str, _Background] = _reusable.__dict__.setdefault("backgrounds", {})
    kept = backgrounds.get(kind)
    if kept is None or kept.drawn_for != drawn_for:
        figure, axes = draw_background()
        canvas = cast(FigureCanvasAgg, figure.canvas)
        canvas.draw()  # type: ignore[no-untyped-call]
        axes.set_autoscale_on(False)  # the limits stay those of the background
        kept = _Background(drawn_for, canvas, axes, canvas.copy_from_bbox(figure.bbox))  # type: ignore[no-untyped-call]
        backgrounds[kind] = kept
    kept.canvas.restore_region(kept.pixels)  # type: ignore[no-untyped-call]
    for artist in report_artists(kept.axes):
        kept.axes.draw_artist(artist)
        artist.remove()
    return _rgb_copy(kept.canvas)


def _legend(figure: Figure, columns: int, handles: Sequence[Artist] | None = None) -> None:
    options = {"handles": handles} if handles is not None else {}
    figure.legend(loc="upper center", ncol=columns, fontsize=LEGEND_SIZE, frameon=False, handletextpad=0.3, **options)


def _number_ticks(axis: Any, format_number: Callable[[float], str], **locator: Any) -> None:
    """Round-numbered ticks on `axis`, written in the report's language."""
    axis.set_major_locator(MaxNLocator(**locator))
    axis.set_major_formatter(FuncFormatter(lambda value, _position: format_number(value)))


def _axis_labels(axes: Axes, x_label: str, y_label: str | None = None) -> None:
    axes.set_xlabel(x_label, fontsize=FONT["size"], color=INK)
    if y_label is not None:
        axes.set_ylabel(y_label, fontsize=FONT["size"], color=INK)


@dataclass(frozen=True, slots=True)
class MirrorSeries:
    """One voice's estimates across the dimensions, in the dimensions' order (None where not shown)."""

    voice: str
    label: str
    estimates: Sequence[MeanEstimate | None]


@dataclass(frozen=True, slots=True)
class MirrorChart(Chart):
    """The three voices side by side for each dimension, as points with their 95% intervals; full text width."""

    dimension_labels: Sequence[str]
    series: Sequence[MirrorSeries]
    axis_label: str
    width_in: float = TEXT_WIDTH_IN

    def pixels(self) -> Pixels:
        """The chart as drawn on the canvas, before encoding."""
        with _style():
            return _mirror_chart(self)


def _mirror_chart(chart: MirrorChart) -> Pixels:
    """The mirror over a background shared by the reports with the same dimensions and voices (a wave's teams)."""
    lanes = _mirror_lanes(len(chart.series))
    positions = _mirror_positions(len(chart.dimension_labels))

    def estimates(axes: Axes) -> list[Artist]:
        artists: list[Artist] = []
        for offset, voice in zip(lanes, chart.series, strict=True):
            style = VOICE_STYLE[voice.voice]
            shown = [(y + offset, e) for y, e in zip(positions, voice.estimates, strict=True) if e is not None]
            if not shown:
                continue
            ys = np.array([y for y, _ in shown])
            means = np.clip([e.mean for _, e in shown], 1, 5)
            lows = np.clip([e.ci[0] if np.isfinite(e.ci[0]) else e.mean for _, e in shown], 1, 5)
            highs = np.clip([e.ci[1] if np.isfinite(e.ci[1]) else e.mean for _, e in shown], 1, 5)
            intervals = LineCollection(
                [((low, y), (high, y)) for low, high, y in zip(lows, highs, ys, strict=True)],
                colors=style["color"],
                linewidths=1.2,
            )
            caps = Line2D(
                np.concatenate([lows, highs]),
                np.concatenate([ys, ys]),
                linestyle="none",
                marker="|",
                markersize=4,
                markeredgewidth=1.2,
                color=style["color"],
            )
            points = Line2D(means, ys, linestyle="none", marker=style["marker"], markersize=5, color=style["color"])
            artists += [axes.add_collection(intervals, autolim=False), axes.add_line(caps), axes.add_line(points)]
        return artists

    labels = tuple((series.voice, series.label) for series in chart.series)
    drawn_for = (tuple(chart.dimension_labels), labels, chart.axis_label, chart.width_in)
    return _over_background("mirror", drawn_for, functools.partial(_mirror_background, chart), estimates)


def _mirror_lanes(series: int) -> npt.NDArray[np.float64]:
    """Each voice's offset from its dimension's row, the first on top."""
    return np.linspace(0.22, -0.22, series)


def _mirror_positions(dimensions: int) -> npt.NDArray[np.float64]:
    """Each dimension's row, the first on top."""
    return np.arange(dimensions)[::-1].astype(float)


def _mirror_background(chart: MirrorChart) -> tuple[Figure, Axes]:
    # The voices' legend takes one line on the page's width, and a line per voice on a narrower chart.
    columns = len(chart.series) if chart.width_in >= TEXT_WIDTH_IN else 1
    legend_in = 0.3 + LEGEND_LINE_IN * (-(-len(chart.series) // columns) - 1)
    height = 0.38 * len(chart.dimension_labels) + 0.45 + legend_in
    figure, axes = _new_figure(chart.width_in, height)
    figure.subplots_adjust(
        left=MIRROR_LABELS_IN / chart.width_in,
        right=1 - 0.03 * TEXT_WIDTH_IN / chart.width_in,
        top=1 - legend_in / height,
        bottom=0.45 / height,
    )
    positions = _mirror_positions(len(chart.dimension_labels))
    axes.set_yticks(positions, chart.dimension_labels, fontsize=FONT["size"], color=INK)
    axes.set_xlim(1, 5)
    # Every lane of every row, with matplotlib's default 5% margins: the same for every team of the wave.
    low, high = -0.22, positions.size - 1 + 0.22
    axes.set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low))
    axes.set_xticks([1, 2, 3, 4, 5])
    _axis_labels(axes, chart.axis_label)
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    handles: list[Artist] = [
        Line2D(
            [],
            [],
            color=VOICE_STYLE[voice.voice]["color"],
            marker=VOICE_STYLE[voice.voice]["marker"],
            markersize=5,
            linewidth=1.2,
            label=voice.label,
        )
        for voice in chart.series
    ]
    _legend(figure, columns, handles)
    return figure, axes


@dataclass(frozen=True, slots=True)
class ScatterChart(Chart):
    """Teams as unlabelled points, one of them highlighted, with an optional regression line and its 95% band.

    Printed at the narrow width; a thousand teams draw as one line of markers, not a collection of paths.
    """

    employee: Sequence[float]
    customer: Sequence[float]
    x_label: str
    y_label: str
    format_number: Callable[[float], str]
    highlight: int | None = None
    highlight_label: str = ""
    others_label: str = ""
    regression_label: str | None = None
    width_in: float = NARROW_WIDTH_IN

    def pixels(self) -> Pixels:
        """The chart as drawn on the canvas, before encoding."""
        with _style():
            return _scatter_chart(self)


def _scatter_chart(chart: ScatterChart) -> Pixels:
    """The scatter over a background shared by all the reports that show the same points (one wave's teams).

    Every team report of a wave shows the same points; only the highlighted team differs, and its marker is
    all that is drawn for each report. Charts compare their number format by identity: the reports format with
    the one translator of their language (``i18n.translator``).
    """
    drawn_for = (  # what the background depends on, as values (the points as tuples: arrays do not compare)
        tuple(chart.employee), tuple(chart.customer), chart.x_label, chart.y_label, chart.format_number,
        chart.others_label, chart.regression_label, chart.highlight_label if chart.highlight is not None else None,
        chart.width_in,
    )  # fmt: skip

    def highlight(axes: Axes) -> list[Artist]:
        if chart.highlight is None:
            return []
        return [axes.add_line(_highlight_marker([chart.employee[chart.highlight]], [chart.customer[chart.highlight]]))]

    background = functools.partial(_scatter_background, chart, highlighted=chart.highlight is not None)
    return _over_background("scatter", drawn_for, background, highlight)


def _highlight_marker(x: Sequence[float], y: Sequence[float], label: str = "") -> Line2D:
    return Line2D(
        x,
        y,
        linestyle="none",
        marker="D",
        markersize=7.5,
        markerfacecolor=VOICE_STYLE["customer"]["color"],
        markeredgecolor=INK,
        markeredgewidth=0.8,
        label=label,
    )


def _scatter_background(chart: ScatterChart, *, highlighted: bool) -> tuple[Figure, Axes]:
    height = chart.width_in * 2 / 3
    figure, axes = _new_figure(chart.width_in, height)
    figure.subplots_adjust(
        left=0.14 * NARROW_WIDTH_IN / chart.width_in,
        right=1 - 0.03 * NARROW_WIDTH_IN / chart.width_in,
        top=1 - 0.36 / height,
        bottom=0.45 / height,
    )
    x, y = np.asarray(chart.employee, dtype=float), np.asarray(chart.customer, dtype=float)
    axes.plot(
        x,
        y,
        linestyle="none",
        marker="o",
        markersize=3.6,
        markerfacecolor=MUTED,
        markeredgecolor="white",
        markeredgewidth=0.4,
        label=chart.others_label or None,
    )  # the highlighted team's point too: its larger marker covers it
    if chart.regression_label is not None and x.size >= 3 and np.ptp(x) > 0:
        band = regression_band(x, y)
        colour = VOICE_STYLE["employee"]["color"]
        axes.fill_between(band.grid, band.low, band.high, color=colour, alpha=0.15, linewidth=0)
        axes.plot(band.grid, band.fit, color=colour, linewidth=1.4, label=chart.regression_label)
    _axis_labels(axes, chart.x_label, chart.y_label)
    axes.grid(color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for axis in (axes.xaxis, axes.yaxis):
        _number_ticks(axis, chart.format_number, nbins=6, steps=[1, 2, 5, 10])
    handles, _ = axes.get_legend_handles_labels()
    if highlighted and chart.highlight_label:
        handles.append(_highlight_marker([], [], chart.highlight_label))
    _legend(figure, 3, handles)
    return figure, axes


@dataclass(frozen=True, slots=True)
class RegressionBand:
    """A least-squares line over a grid of x and the confidence band of its mean prediction."""

    grid: np.ndarray
    fit: np.ndarray
    low: np.ndarray
    high: np.ndarray


def regression_band(x: np.ndarray, y: np.ndarray, confidence: float = 0.95, points: int = 50) -> RegressionBand:
    r"""The least-squares line of `y` on `x` with the `confidence` band of the mean prediction.

    Notes
    -----
    At :math:`x_0` the band is :math:`\hat y_0 \pm t_{n-2} \, s \sqrt{1/n + (x_0 - \bar x)^2 / S_{xx}}`, with
    :math:`s` the residual standard deviation and :math:`S_{xx} = \sum (x_i - \bar x)^2`.

    """
    if x.size < 3 or np.ptp(x) == 0:
        raise ValueError("a regression band needs at least 3 points and x that are not all equal")
    fit = stats.linregress(x, y)
    grid = np.linspace(x.min(), x.max(), points)
    prediction = fit.intercept + fit.slope * grid
    residual_sd = np.sqrt(np.sum((y - fit.intercept - fit.slope * x) ** 2) / (x.size - 2))
    spread = residual_sd * np.sqrt(1 / x.size + (grid - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    t = stats.t.ppf(0.5 + confidence / 2, x.size - 2)
    return RegressionBand(grid, prediction, prediction - t * spread, prediction + t * spread)


@dataclass(frozen=True, slots=True)
class TrendChart(Chart):
    """A team's overall employee and customer scores across waves, oldest first; narrow width.

    None where a wave has no figure to show (a gap in the line). Only for two waves or more.
    """

    wave_labels: Sequence[str]
    employee: Sequence[float | None]
    customer: Sequence[float | None]
    employee_label: str
    customer_label: str
    axis_label: str

    def __post_init__(self) -> None:
        """Refuse a trend of fewer than two waves, or series of another length than the waves."""
        if len(self.wave_labels) < MIN_TREND_WAVES:
            raise ValueError(f"a trend needs at least {MIN_TREND_WAVES} waves, got {len(self.wave_labels)}")
        if not len(self.employee) == len(self.customer) == len(self.wave_labels):
            raise ValueError(
                f"one score per wave expected: {len(self.wave_labels)} waves, "
                f"{len(self.employee)} employee and {len(self.customer)} customer scores"
            )

    def pixels(self) -> Pixels:
        """The chart as drawn on the canvas, before encoding."""
        with _style():
            return _trend_chart(self)


def _trend_chart(chart: TrendChart) -> Pixels:
    """The team's two lines over a background shared by the reports with the same waves and labels.

    The axes are fixed (1 to 5, one column per wave), so every team of a wave draws on the same background and
    only its two lines are drawn for each report.
    """
    voices = (("employee", chart.employee), ("customer", chart.customer))

    def lines(axes: Axes) -> list[Artist]:
        positions = np.arange(len(chart.wave_labels), dtype=float)
        drawn: list[Artist] = []
        for voice, scores in voices:
            values = np.array([np.nan if score is None else score for score in scores], dtype=float)
            drawn.append(axes.add_line(_trend_line(voice, positions, values)))
        return drawn

    drawn_for = (tuple(chart.wave_labels), chart.employee_label, chart.customer_label, chart.axis_label)
    return _over_background("trend", drawn_for, functools.partial(_trend_background, chart), lines)


def _trend_line(voice: str, x: Any, y: Any, label: str = "") -> Line2D:
    style = VOICE_STYLE[voice]
    return Line2D(
        x,
        y,
        color=style["color"],
        linestyle=style["linestyle"],
        linewidth=1.4,
        marker=style["marker"],
        markersize=5,
        label=label,
    )


def _trend_background(chart: TrendChart) -> tuple[Figure, Axes]:
    height = 2.3
    figure, axes = _new_figure(NARROW_WIDTH_IN, height)
    figure.subplots_adjust(left=0.14, right=0.97, top=1 - 0.36 / height, bottom=0.42 / height)
    positions = np.arange(len(chart.wave_labels), dtype=float)
    axes.set_xticks(positions, chart.wave_labels, fontsize=FONT["size"], color=INK)
    axes.set_xlim(-0.3, len(positions) - 0.7)
    axes.set_ylim(1, 5)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_ylabel(chart.axis_label, fontsize=FONT["size"], color=INK)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    handles = [
        _trend_line("employee", [], [], chart.employee_label),
        _trend_line("customer", [], [], chart.customer_label),
    ]
    _legend(figure, 2, handles)
    return figure, axes


@dataclass(frozen=True, slots=True)
class GapHistogram(Chart):
    """How the teams' perception gaps (mirror minus customer, in points of the 1-5 scale) are spread; narrow width.

    Bars above zero (teams thinking customers rate them higher than customers do) and below zero are told apart
    by colour and hatching; zero is marked by a line.
    """

    gaps: Sequence[float]
    x_label: str
    y_label: str
    format_number: Callable[[float], str]
    over_label: str = ""
    under_label: str = ""
    bin_width: float = 0.1

    def pixels(self) -> Pixels:
        """The chart as drawn on the canvas, before encoding."""
        with _style():
            return _gap_histogram(self)


def gap_bin_edges(gaps: np.ndarray, width: float) -> np.ndarray:
    """Histogram edges on multiples of `width`, zero among them, covering every finite gap and zero.

    Zero being an edge, no bar mixes teams over and under the customers' view; a gap of exactly zero counts in the
    bar that starts at zero, and every bar holds the gaps from its left edge up to but excluding its right edge.
    """
    if width <= 0:
        raise ValueError(f"`width` must be positive, got {width}")
    finite = gaps[np.isfinite(gaps)]
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    high = max(0.0, float(finite.max())) if finite.size else 0.0
    first, last = int(np.floor(low / width)), int(np.floor(high / width)) + 1
    if first * width > low:  # the division rounded up
        first -= 1
    if last * width <= high:  # the division rounded down
        last += 1
    return np.arange(first, last + 1) * width


def _gap_histogram(chart: GapHistogram) -> Pixels:
    legend_lines = bool(chart.over_label) + bool(chart.under_label)
    height = 2.3 + 0.14 * legend_lines
    figure, axes = _figure("gaps", NARROW_WIDTH_IN, height)
    figure.subplots_adjust(left=0.13, right=0.97, top=1 - (0.12 + 0.15 * legend_lines) / height, bottom=0.45 / height)
    gaps = np.asarray(chart.gaps, dtype=float)
    gaps = gaps[np.isfinite(gaps)]
    edges = gap_bin_edges(gaps, chart.bin_width)
    counts, _ = np.histogram(gaps, bins=edges)
    zero = int(np.flatnonzero(edges == 0.0)[0])
    for bins, label, colour, hatch in (
        (slice(0, zero), chart.under_label, VOICE_STYLE["customer"]["color"], "////"),
        (slice(zero, None), chart.over_label, VOICE_STYLE["mirror"]["color"], None),
    ):
        if counts[bins].size == 0:
            continue
        # One stepped outline per side rather than a rectangle per bin: a tenth of the artists to draw.
        axes.stairs(
            counts[bins],
            edges[bins.start : (None if bins.stop is None else bins.stop + 1)],
            fill=True,
            facecolor=colour,
            edgecolor=INK,
            linewidth=0.5,
            hatch=hatch,
            label=label or None,
        )
    axes.axvline(0, color=INK, linewidth=1.2)
    _axis_labels(axes, chart.x_label, chart.y_label)
    _number_ticks(axes.xaxis, chart.format_number, nbins=8, steps=[1, 2, 5, 10])
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    if legend_lines:
        _legend(figure, 1)  # one label a line: they are sentences, too long side by side at this width
    return _canvas_pixels(figure)


@dataclass(frozen=True, slots=True)
class DriversChart(Chart):
    """Each dimension's relative importance as a horizontal bar, largest at the top, with optional whiskers.

    ``shares`` are on the axis' unit, for example each dimension's relative weight in percent of the variance
    of the outcome (``100 * weight`` of ``symmetry.linkage.Drivers``); ``intervals`` (low, high) on the same
    unit, NaN where there is none. Full text width.
    """

    labels: Sequence[str]
    shares: Sequence[float]
    x_label: str
    format_number: Callable[[float], str]
    intervals: Sequence[tuple[float, float]] | None = None

    def __post_init__(self) -> None:
        """Refuse shares or intervals that do not match the labels one to one."""
        if len(self.shares) != len(self.labels):
            raise ValueError(f"{len(self.labels)} labels but {len(self.shares)} shares")
        if self.intervals is not None and len(self.intervals) != len(self.labels):
            raise ValueError(f"{len(self.labels)} labels but {len(self.intervals)} intervals")

    def pixels(self) -> Pixels:
        """The chart as drawn on the canvas, before encoding."""
        with _style():
            return _drivers_chart(self)


def _drivers_chart(chart: DriversChart) -> Pixels:
    height = 0.3 * len(chart.labels) + 0.7
    figure, axes = _figure("drivers", TEXT_WIDTH_IN, height)
    figure.subplots_adjust(left=0.22, right=0.97, top=1 - 0.15 / height, bottom=0.45 / height)
    shares = np.asarray(chart.shares, dtype=float)
    order = np.argsort(-shares, kind="stable")
    positions = np.arange(len(order))[::-1].astype(float)
    colour = VOICE_STYLE["employee"]["color"]
    axes.barh(positions, shares[order], height=0.6, color=colour, edgecolor=INK, linewidth=0.5)
    right = float(np.nanmax(shares)) if shares.size else 1.0
    if chart.intervals is not None:
        intervals = np.asarray(chart.intervals, dtype=float).reshape(-1, 2)[order]
        drawn = np.isfinite(intervals).all(axis=1)
        if drawn.any():
            axes.errorbar(
                shares[order][drawn],
                positions[drawn],
                xerr=[
                    np.clip(shares[order][drawn] - intervals[drawn, 0], 0, None),
                    np.clip(intervals[drawn, 1] - shares[order][drawn], 0, None),
                ],
                fmt="none",
                ecolor=INK,
                elinewidth=1.0,
                capsize=2.5,
            )
            right = max(right, float(intervals[drawn, 1].max()))
    axes.set_yticks(positions, [chart.labels[j] for j in order], fontsize=FONT["size"], color=INK)
    axes.set_xlim(0, right * 1.05 if right > 0 else 1.0)
    axes.set_ylim(-0.6, len(order) - 0.4)
    _axis_labels(axes, chart.x_label)
    _number_ticks(axes.xaxis, chart.format_number, nbins=6, steps=[1, 2, 5, 10])
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    return _canvas_pixels(figure)
