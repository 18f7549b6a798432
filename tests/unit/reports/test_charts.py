"""Report charts: JPEGs at their printed size and close to the canvas, the same bytes every time, helpers right."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image
from scipy import stats

from reports.charts import (
    DPI,
    NARROW_WIDTH_IN,
    SCREEN_WIDTH_IN,
    TEXT_WIDTH_IN,
    VOICE_STYLE,
    Chart,
    DriversChart,
    GapHistogram,
    MirrorChart,
    MirrorSeries,
    ScatterChart,
    TrendChart,
    gap_bin_edges,
    jpeg_bytes,
    regression_band,
)
from symmetry.stats import MeanEstimate

DIMENSIONS = ["Listening", "Recognition", "Trust", "Information", "Responsiveness", "Respect", "Simplicity"]
FULL_WIDTH_PX = int(TEXT_WIDTH_IN * DPI)  # figsize x dpi, whole pixels as Agg counts them
NARROW_WIDTH_PX = int(NARROW_WIDTH_IN * DPI)
SCREEN_WIDTH_PX = int(SCREEN_WIDTH_IN * DPI)


def one_decimal(value: float) -> str:
    return f"{value:.1f}"


def mirror_chart(dimensions: list[str] = DIMENSIONS) -> MirrorChart:
    rng = np.random.default_rng(1)

    def estimate(mean: float) -> MeanEstimate:
        return MeanEstimate(12, mean, 0.7, (mean - 0.4, mean + 0.4))

    series = [
        MirrorSeries(voice, voice.title(), [estimate(3 + rng.random()) for _ in dimensions])
        for voice in ("employee", "mirror", "customer")
    ]
    series[1] = MirrorSeries("mirror", "Mirror", [None, *series[1].estimates[1:]])
    return MirrorChart(dimensions, series, axis_label="Score (1 to 5)")


def scatter_chart(teams: int = 1000, regression: bool = False) -> ScatterChart:
    rng = np.random.default_rng(2)
    employee = rng.normal(3.5, 0.4, teams)
    customer = 0.5 * employee + rng.normal(1.9, 0.3, teams)
    return ScatterChart(
        employee.tolist(),
        customer.tolist(),
        x_label="Employee score (1 to 5)",
        y_label="Customer score (1 to 5)",
        format_number=one_decimal,
        highlight=None if regression else 7,
        highlight_label="Your team",
        others_label="Other teams",
        regression_label="Regression line" if regression else None,
    )


def trend_chart() -> TrendChart:
    return TrendChart(
        ["Spring 2025", "Autumn 2025", "Spring 2026"],
        [3.4, None, 3.7],
        [3.9, 3.8, None],
        employee_label="Employees",
        customer_label="Customers",
        axis_label="Overall score (1 to 5)",
    )


def gap_histogram() -> GapHistogram:
    gaps = np.random.default_rng(3).normal(0.3, 0.4, 1000)
    return GapHistogram(
        gaps.tolist(),
        x_label="Perception gap (points on the 1-5 scale)",
        y_label="Teams",
        format_number=one_decimal,
        over_label="Employees think customers rate them higher",
        under_label="Employees think customers rate them lower",
    )


def drivers_chart() -> DriversChart:
    shares = [12.0, 30.5, 8.0, 19.5, 10.0, 14.0, 6.0]
    return DriversChart(
        DIMENSIONS,
        shares,
        x_label="Share of explained variance (%)",
        format_number=lambda value: f"{value:.0f}",
        intervals=[(share / 2, share * 1.8) for share in shares[:-1]] + [(float("nan"), float("nan"))],
    )


CHARTS: dict[str, tuple[Callable[[], Chart], int]] = {
    "mirror": (mirror_chart, FULL_WIDTH_PX),
    "scatter": (scatter_chart, NARROW_WIDTH_PX),
    "scatter_with_regression": (lambda: scatter_chart(200, regression=True), NARROW_WIDTH_PX),
    "trend": (trend_chart, NARROW_WIDTH_PX),
    "gaps": (gap_histogram, NARROW_WIDTH_PX),
    "gaps_all_over_without_legend": (
        lambda: GapHistogram([0.2, 0.4, 0.45], x_label="Gap", y_label="Teams", format_number=one_decimal),
        NARROW_WIDTH_PX,
    ),
    "drivers": (drivers_chart, FULL_WIDTH_PX),
    "mirror_on_a_screen": (lambda: dataclasses.replace(mirror_chart(), width_in=SCREEN_WIDTH_IN), SCREEN_WIDTH_PX),
    "scatter_on_a_screen": (
        lambda: dataclasses.replace(scatter_chart(200, regression=True), width_in=SCREEN_WIDTH_IN),
        SCREEN_WIDTH_PX,
    ),
}


def jpeg_of(uri: str) -> bytes:
    prefix = "data:image/jpeg;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix) :], validate=True)


def psnr(decoded: np.ndarray, original: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB: 40 is hard to see, 50 and more cannot be seen."""
    error = np.mean((decoded.astype(float) - original.astype(float)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255**2 / error))


def test_the_printed_widths_are_those_of_the_a4_text_column() -> None:
    assert pytest.approx(17.8) == TEXT_WIDTH_IN * 2.54
    assert (FULL_WIDTH_PX, NARROW_WIDTH_PX) == (1051, 714)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_chart_draws_a_jpeg_of_its_printed_size_close_to_its_pixels(name: str) -> None:
    build, width = CHARTS[name]
    chart = build()
    jpeg = jpeg_of(chart.draw())
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    assert image.format == "JPEG" and image.mode == "RGB"
    assert image.info["dpi"] == (DPI, DPI)
    assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}  # no EXIF, no comment
    assert image.width == width and 1.5 * DPI <= image.height <= 5 * DPI
    pixels = chart.pixels()
    assert pixels.shape == (image.height, image.width, 3)
    assert psnr(np.asarray(image), pixels) > 48
    colours = {tuple(pixel) for pixel in pixels.reshape(-1, 3).tolist()}
    assert len(colours) >= 3  # white paper, ink and at least one voice: something was drawn


def test_the_mirror_chart_grows_with_the_dimensions_at_150_dpi() -> None:
    heights = [mirror_chart(dimensions).pixels().shape[0] for dimensions in (DIMENSIONS[:3], DIMENSIONS)]
    assert heights[1] - heights[0] == pytest.approx(4 * 0.38 * DPI, abs=1)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_a_chart_drawn_twice_gives_the_same_bytes(name: str) -> None:
    build, _ = CHARTS[name]
    chart: Chart = build()
    first = chart.draw()
    scatter_chart(50).draw()  # something else in between
    assert build().draw() == first == chart.draw()


def test_each_team_gets_its_own_marker_on_the_shared_scatter() -> None:
    """The scatter's background is drawn once and reused; each team's chart must not depend on the others drawn."""
    seventh = scatter_chart().draw()
    eighth = dataclasses.replace(scatter_chart(), highlight=8).draw()
    assert dataclasses.replace(scatter_chart(), highlight=7).draw() == seventh != eighth
    pixels = [chart.pixels() for chart in (scatter_chart(), dataclasses.replace(scatter_chart(), highlight=8))]
    differ = np.argwhere((pixels[0] != pixels[1]).any(axis=2))
    assert 0 < len(differ) < 2_000  # the two markers, nothing else

    def marker_centre(rgb: np.ndarray) -> np.ndarray:
        green = np.array([int(VOICE_STYLE["customer"]["color"][k : k + 2], 16) for k in (1, 3, 5)])
        return np.argwhere((rgb == green).all(axis=2)).mean(axis=0)

    # Each marker sits where its team's point is: the eighth team's is to the right of the seventh's when its
    # employee score is higher (and left otherwise).
    chart = scatter_chart()
    right = chart.employee[8] > chart.employee[7]
    assert (marker_centre(pixels[1])[1] > marker_centre(pixels[0])[1]) == right


def test_a_scatter_of_numpy_arrays_reuses_its_background() -> None:
    chart = scatter_chart()
    as_arrays = dataclasses.replace(chart, employee=np.asarray(chart.employee), customer=np.asarray(chart.customer))
    copy = dataclasses.replace(as_arrays, employee=as_arrays.employee.copy(), customer=as_arrays.customer.copy())
    assert as_arrays.draw() == copy.draw() == chart.draw()


def test_each_team_gets_its_own_estimates_on_the_shared_mirror_background() -> None:
    first = mirror_chart()
    other = MirrorChart(
        first.dimension_labels,
        [
            MirrorSeries(
                s.voice,
                s.label,
                [
                    None if e is None else MeanEstimate(e.n, 6 - e.mean, e.sd, (5 - e.mean, 6.5 - e.mean))
                    for e in s.estimates
                ],
            )
            for s in first.series
        ],
        first.axis_label,
    )
    drawn = first.draw()
    assert other.draw() != drawn and first.draw() == drawn
    pixels = [first.pixels(), other.pixels()]
    rows, columns = np.nonzero((pixels[0] != pixels[1]).any(axis=2))
    # Only the plotting area differs: not the labels on the left (22% of the width), nor the legend on top.
    assert columns.min() > 0.2 * pixels[0].shape[1] and rows.min() > 0.3 / (0.38 * 7 + 0.75) * pixels[0].shape[0]


def test_a_chart_gives_the_same_bytes_in_another_process() -> None:
    script = (
        "import hashlib, sys\n"
        "sys.path.insert(0, 'tests/unit/reports')\n"
        "from test_charts import CHARTS\n"
        "for name in sorted(CHARTS):\n"
        "    print(name, hashlib.sha256(CHARTS[name][0]().draw().encode()).hexdigest())\n"
    )
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    here = "".join(
        f"{name} {hashlib.sha256(CHARTS[name][0]().draw().encode()).hexdigest()}\n" for name in sorted(CHARTS)
    )
    assert other.stdout == here


def test_jpeg_encoding_keeps_the_pixels_and_refuses_other_arrays() -> None:
    pixels = mirror_chart().pixels()
    decoded = np.asarray(Image.open(io.BytesIO(jpeg_bytes(pixels))))
    assert psnr(decoded, pixels) > 48
    # Colour at full resolution: a one-pixel coloured line keeps its hue (4:2:0 would halve it into grey).
    line = np.full((16, 16, 3), 255, dtype=np.uint8)
    line[:, 8] = (0, 114, 178)
    decoded_line = np.asarray(Image.open(io.BytesIO(jpeg_bytes(line)))).astype(int)
    assert np.abs(decoded_line[:, 8] - (0, 114, 178)).max() < 40
    assert jpeg_bytes(pixels) == jpeg_bytes(pixels.copy())
    with pytest.raises(ValueError, match="uint8"):
        jpeg_bytes(pixels.astype(np.float64))
    with pytest.raises(ValueError, match="uint8"):
        jpeg_bytes(pixels[:, :, :2])


def test_a_trend_with_a_missing_wave_still_draws_and_one_wave_is_refused() -> None:
    assert jpeg_of(trend_chart().draw()).startswith(b"\xff\xd8")
    with pytest.raises(ValueError, match="at least 2 waves"):
        TrendChart(["Spring 2026"], [3.5], [3.9], employee_label="E", customer_label="C", axis_label="Score")
    with pytest.raises(ValueError, match="one score per wave"):
        TrendChart(["A", "B"], [3.5, 3.6], [3.9], employee_label="E", customer_label="C", axis_label="Score")


def test_each_team_gets_its_own_lines_on_the_shared_trend_background() -> None:
    first = trend_chart()
    other = dataclasses.replace(first, employee=[4.6, 4.4, None], customer=[None, 1.3, 1.8])
    on_other_waves = dataclasses.replace(first, wave_labels=["Spring 2024", "Autumn 2025", "Spring 2026"])
    drawn = first.pixels()
    assert not np.array_equal(other.pixels(), drawn)
    np.testing.assert_array_equal(first.pixels(), drawn)
    differ = (other.pixels() != drawn).any(axis=2)
    rows, columns = np.nonzero(differ)
    # Only the plotting area: not the score labels on the left (14% of the width), nor the legend on top.
    assert columns.min() > 0.14 * drawn.shape[1] and rows.min() > 0.36 / 2.3 * drawn.shape[0]
    labels_differ = (on_other_waves.pixels() != drawn).any(axis=2)
    assert labels_differ[int(0.85 * drawn.shape[0]) :].any()  # the wave labels below the axis are redrawn
    np.testing.assert_array_equal(first.pixels(), drawn)


def test_voices_differ_by_marker_and_line_style_not_only_by_colour() -> None:
    for feature in ("color", "marker", "linestyle"):
        assert len({style[feature] for style in VOICE_STYLE.values()}) == len(VOICE_STYLE)


def test_regression_band_matches_the_standard_error_of_the_mean_prediction() -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(3.5, 0.5, 25)
    y = 1.2 + 0.6 * x + rng.normal(0, 0.3, 25)
    band = regression_band(x, y, confidence=0.9)
    design = np.column_stack([np.ones_like(x), x])
    coefficients, residuals, *_ = np.linalg.lstsq(design, y, rcond=None)
    covariance = residuals[0] / (x.size - 2) * np.linalg.inv(design.T @ design)
    at_grid = np.column_stack([np.ones_like(band.grid), band.grid])
    se = np.sqrt(np.einsum("ij,jk,ik->i", at_grid, covariance, at_grid))
    t = stats.t.ppf(0.95, x.size - 2)
    np.testing.assert_allclose(band.grid[[0, -1]], [x.min(), x.max()])
    np.testing.assert_allclose(band.fit, at_grid @ coefficients)
    np.testing.assert_allclose(band.low, at_grid @ coefficients - t * se)
    np.testing.assert_allclose(band.high, at_grid @ coefficients + t * se)
    assert np.all(np.diff(band.high - band.low)[: band.grid.size // 4] < 0)  # narrowest near the mean of x
    with pytest.raises(ValueError, match="at least 3 points"):
        regression_band(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0]))


@pytest.mark.parametrize(
    ("gaps", "width"),
    [
        ([0.3, 0.7, 1.25], 0.1),
        ([-0.45, -0.1, 0.0], 0.1),
        ([-1.3, 0.0, 0.3, 2.05], 0.25),
        (np.random.default_rng(7).normal(0.2, 0.5, 500).tolist(), 0.1),
    ],
)
def test_gap_bins_have_zero_as_an_edge_and_hold_every_gap_once(gaps: list[float], width: float) -> None:
    values = np.array(gaps)
    edges = gap_bin_edges(values, width)
    assert 0.0 in edges
    np.testing.assert_allclose(np.diff(edges), width)
    assert edges[0] <= values.min() and values.max() < edges[-1]
    counts, _ = np.histogram(values, bins=edges)
    assert counts.sum() == values.size
    zero_bin = int(np.flatnonzero(edges == 0.0)[0])
    assert counts[zero_bin] == np.count_nonzero((values >= 0) & (values < edges[zero_bin + 1]))


def test_gap_bins_of_no_gap_still_frame_zero() -> None:
    np.testing.assert_allclose(gap_bin_edges(np.array([np.nan]), 0.5), [0.0, 0.5])
    with pytest.raises(ValueError, match="positive"):
        gap_bin_edges(np.array([0.1]), 0)


def test_drivers_chart_refuses_mismatched_shares() -> None:
    with pytest.raises(ValueError, match="7 labels but 2 shares"):
        DriversChart(DIMENSIONS, [1.0, 2.0], x_label="%", format_number=str)
