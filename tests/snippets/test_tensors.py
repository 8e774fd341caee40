"""Claims of docs/tensors.md, about its snippets and about NumPy, TensorFlow and Keras.

tests/test_snippets.py runs snippets/tensors/draw_digit.py,
snippets/tensors/crop_digits.py and snippets/tensors/rank3_axes.py and compares
their output and figures with the committed ones; this file checks what the page
says about them, and each statement of the page's prose that no output on the
page shows. The inventory tests/claims/tensors.toml names the test of each one.
"""

import inspect
import itertools
import math
import re
import runpy
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from lab.mnist_data import load_mnist
from tests.helpers.fresh import in_fresh_process

REPOSITORY = Path(__file__).resolve().parents[2]
PAGE = REPOSITORY / "docs" / "tensors.md"
SNIPPETS = REPOSITORY / "snippets" / "tensors"
DRAW_DIGIT = SNIPPETS / "draw_digit.py"
CROP_DIGITS = SNIPPETS / "crop_digits.py"
RANK3_AXES = SNIPPETS / "rank3_axes.py"


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def page_text() -> str:
    return " ".join(PAGE.read_text().split())


def alt_text(figure: str) -> str:
    found = re.search(
        rf'^!\[(.*)\]\(figures/tensors/{re.escape(figure)}(?: "[^"]*")?\)',
        PAGE.read_text(),
        re.M,
    )
    assert found, f"no image figures/tensors/{figure} on the page"
    return found[1]


def snippet_constant(path: Path, pattern: str) -> str:
    found = re.search(pattern, path.read_text())
    assert found, f"{path.name}: no match for {pattern!r}"
    return found[1]


# ---- The words: rank, dimension, tensor types


def test_numpy_calls_a_tensor_ndarray_and_tensorflow_tf_tensor():
    import tensorflow as tf

    assert type(np.array([12, 3, 6])) is np.ndarray
    assert isinstance(tf.constant([12, 3, 6]), tf.Tensor)


def test_a_keras_layer_reads_and_writes_tensors():
    import keras
    import tensorflow as tf

    output = keras.layers.Dense(2)(tf.zeros((1, 3)))
    assert isinstance(output, tf.Tensor) and output.shape == (1, 2)


def test_every_example_uses_the_bundled_digits():
    calls = re.findall(r"load_mnist\((.*?)\)", PAGE.read_text())
    assert calls and set(calls) == {""}, calls
    (x_train, _), (x_test, _) = load_mnist()
    assert (len(x_train), len(x_test)) == (8000, 2000)


def test_tf_rank_and_ndim_count_the_axes():
    import tensorflow as tf

    stack = tf.zeros((4, 28, 28))
    assert int(tf.rank(stack)) == stack.ndim == 3
    assert "rank" in tf.rank.__doc__.lower()


def test_numpy_ndim_is_documented_as_the_number_of_dimensions():
    assert "Number of array dimensions" in np.ndarray.ndim.__doc__
    assert np.zeros((4, 28, 28)).ndim == 3  # "a 3D tensor" has rank 3


def test_every_matrix_has_rank_2_whatever_its_matrix_rank():
    matrices = [np.zeros((3, 3)), np.ones((3, 3)), np.eye(3)]
    assert [m.ndim for m in matrices] == [2, 2, 2]
    assert [int(np.linalg.matrix_rank(m)) for m in matrices] == [0, 1, 3]


def test_a_784_dimensional_vector_has_rank_1_and_784_elements():
    vector = np.zeros(784)
    assert (vector.ndim, vector.shape, vector.size) == (1, (784,), 784)


def test_numpy_shapes_are_tuples_and_tensorflow_shapes_are_tensorshapes():
    import tensorflow as tf

    array, tensor = np.array([12, 3, 6]), tf.constant([12, 3, 6])
    assert type(array.shape) is tuple
    assert type(tensor.shape).__name__ == "TensorShape"
    assert not isinstance(tensor.shape, tuple)
    assert str(tensor.shape) == str(array.shape) == "(3,)"  # what print shows
    assert type(tuple(tensor.shape)) is tuple and tuple(tensor.shape) == array.shape
    # a prompt or a notebook shows the repr, which is not tuple-like
    assert repr(tensor.shape) == "TensorShape([3])" != repr(array.shape)
    shape_type = type(tensor.shape)
    assert not any(
        hasattr(shape_type, name)
        for name in ("_repr_pretty_", "_repr_html_", "_repr_markdown_")
    )  # so IPython and Jupyter show repr(): TensorShape([3])
    assert "`vector.shape` on its own shows `TensorShape([3])`" in page_text()


def test_size_is_the_product_of_the_shape_and_a_scalar_holds_one_number():
    for shape in [(), (3,), (2, 3), (4, 28, 28), (2, 3, 4, 5)]:
        tensor = np.zeros(shape)
        assert tensor.ndim == len(shape)
        assert tensor.size == math.prod(shape)
    assert math.prod(()) == 1
    assert np.array(21.5).shape == () and np.array(21.5).size == 1


def test_a_tensor_holds_elements_of_one_dtype_only():
    mixed = np.array([1, 2.5])
    assert mixed.dtype == np.float64
    assert all(type(element) is np.float64 for element in mixed)


def test_uint8_is_unsigned_and_int_types_may_be_negative():
    assert (np.iinfo(np.uint8).min, np.iinfo(np.uint8).max) == (0, 255)
    assert np.iinfo(np.int32).min < 0 and np.iinfo(np.int64).min < 0
    assert [np.dtype(t).itemsize * 8 for t in (np.int32, np.int64)] == [32, 64]
    assert [np.dtype(t).itemsize * 8 for t in (np.float32, np.float64)] == [32, 64]
    assert np.float32(21.5) == 21.5  # a floating-point number has a fractional part


def test_a_3_by_1_matrix_is_not_the_vector_of_the_same_numbers():
    vector = np.array([12, 3, 6])
    column = vector.reshape(3, 1)
    assert (column.shape, column.ndim) == ((3, 1), 2)
    assert (vector.shape, vector.ndim) == ((3,), 1)
    assert column.size == vector.size


# ---- Default dtypes


def test_default_dtypes_of_python_floats_and_ints_in_numpy_and_tensorflow():
    import tensorflow as tf

    assert np.array(21.5).dtype == np.float64
    assert tf.constant(21.5).dtype == tf.float32
    smallest, largest = int(np.iinfo(np.int32).min), int(np.iinfo(np.int32).max)
    assert (smallest, largest) == (-2_147_483_648, 2_147_483_647)
    assert "(−2,147,483,648 to 2,147,483,647)" in page_text()
    for value in (0, 12, smallest, largest):  # in the int32 range
        assert np.array(value).dtype == np.int64
        assert tf.constant(value).dtype == tf.int32
    # larger ints in the range of int64 become int64 in both libraries
    low, high = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)
    assert (low, high) == (-(2**63), 2**63 - 1) and f"{high:.1e}" == "9.2e+18"
    assert r"($-2^{63}$ to $2^{63} - 1$, about $\pm 9.2 \times 10^{18}$)" in (
        page_text()
    )
    for value in (largest + 1, smallest - 1, 2**40, low, high):
        assert np.array(value).dtype == np.int64
        assert tf.constant(value).dtype == tf.int64
    # beyond it: TensorFlow raises a ValueError, NumPy picks another dtype
    # (2**63 fits in 64 bits as an unsigned number, and NumPy makes uint64)
    for value in (high + 1, 2**64 - 1, 2**64, low - 1):
        with pytest.raises(ValueError):
            tf.constant(value)
        assert np.array(value).dtype != np.int64
    assert np.array(high + 1).dtype == np.uint64


def test_numpy_2_on_a_64_bit_computer_makes_int64_from_python_ints():
    # NumPy 2 makes Python ints the pointer-sized intp (NumPy 2.0 release
    # notes); on a 64-bit computer that is int64, on a 32-bit one int32
    assert int(np.__version__.split(".")[0]) == 2
    assert np.array(12).dtype == np.dtype(np.intp)
    assert np.dtype(np.intp).itemsize * 8 == 64
    assert "(NumPy 2 on a 64-bit computer)" in page_text()


def test_tensorflow_keeps_the_dtype_of_a_numpy_array():
    import tensorflow as tf

    assert tf.constant(np.array([1.5, 2.5])).dtype == tf.float64
    assert tf.constant(np.array([1.5, 2.5]), dtype=tf.float32).dtype == tf.float32


def test_the_comma_makes_a_tuple_except_the_empty_tuple():
    assert eval("3,") == (3,) and type(eval("3,")) is tuple
    assert eval("(3)") == 3 and type(eval("(3)")) is int
    assert eval("(1 + 2) * 4") == 12  # brackets only group
    # the exception: () has no comma, yet it is a tuple, the shape of a scalar
    assert type(eval("()")) is tuple and len(eval("()")) == 0
    assert np.array(21.5).shape == eval("()")


def test_the_format_codes_write_what_the_note_says():
    name, n, size, kept, as_float32 = "stack", 7, 3000, 0.9673, 32.958
    assert f"{name:6}" == "stack "  # text padded on the right, so it sits left
    assert f"{n:2}" == " 7"  # a number sits on the right
    assert f"{6272000:,}" == "6,272,000"
    assert f"{size:>11,}" == "      3,000" and len(f"{size:>11,}") == 11
    assert f"{size:>11,}" == f"{size:11,}"  # '>' is the default for numbers
    assert f"{kept:.1%}" == "96.7%"
    assert f"{as_float32:6.2f}" == " 32.96" and len(f"{as_float32:6.2f}") == 6
    # "at least": a longer value takes more room
    assert len(f"{1234.5678:6.2f}") == 7 and len(f"{'a longer name':6}") == 13
    # each code the note names is used by a block of the page
    blocks = "".join(re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S))
    for code in (
        "{name:6}",
        "{n:2}",
        "{x_train.size:,}",
        "{size:>11,}",
        "{kept:.1%}",
        "{as_float32:6.2f}",
    ):
        assert code in blocks, code


def test_keras_layers_compute_in_float32_unless_told_otherwise():
    import keras

    assert keras.config.floatx() == "float32"
    assert keras.layers.Dense(4).compute_dtype == "float32"


# ---- MNIST: ink intensities and labels


def test_mnist_pixels_are_ink_intensities_0_to_255_with_0_as_background(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    for images in (x_train, x_test):
        assert images.dtype == np.uint8
        assert (images.min(), images.max()) == (0, 255)
        # the top row of every digit is background: no ink at all
        assert (images[:, 0, :] == 0).all()
    assert (x_train == 0).mean() > 0.75  # most pixels hold no ink


def test_mnist_digits_were_scaled_into_a_20_by_20_box_and_centred(mnist):
    """What the MNIST page says of how the digits were made, seen in the data."""
    (x_train, _), (x_test, _) = mnist
    images = np.concatenate([x_train, x_test])
    inked = images > 0
    positions = np.arange(28)

    def extent(along):  # rows or columns from the first to the last inked one
        first = np.where(along, positions, 99).min(axis=1)
        last = np.where(along, positions, -1).max(axis=1)
        return last - first + 1

    height, width = extent(inked.any(axis=2)), extent(inked.any(axis=1))
    assert height.max() <= 20 and width.max() <= 20  # fits in a 20 x 20 box
    assert np.maximum(height, width).min() >= 19  # scaled up to (almost) fill it
    # the ink's centre of mass lies within a pixel of the frame's centre
    mass = images.sum(axis=(1, 2))
    row = (images.sum(axis=2) * positions).sum(axis=1) / mass
    column = (images.sum(axis=1) * positions).sum(axis=1) / mass
    assert np.abs(row - 14).max() < 1 and np.abs(column - 14).max() < 1
    # in-between values exist: the scans were black and white, the data is not
    assert ((images > 0) & (images < 255)).any()


def test_the_mnist_citation_gives_the_address_keras_links_to():
    import keras.src.datasets.mnist as keras_mnist

    address = "http://yann.lecun.com/exdb/mnist/"
    assert address in keras_mnist.__doc__ + (keras_mnist.load_data.__doc__ or "")
    assert f"<{address}>" in page_text()


def test_four_pixels_in_five_hold_no_ink(mnist):
    (x_train, _), _ = mnist
    assert abs((x_train == 0).mean() - 4 / 5) < 0.01
    assert "four pixels in five" in page_text()


def test_labels_are_the_digits_0_to_9(mnist):
    (_, y_train), (_, y_test) = mnist
    assert np.unique(y_train).tolist() == list(range(10))
    assert np.unique(y_test).tolist() == list(range(10))


def test_load_mnist_returns_two_pairs_in_the_keras_layout(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape[1:] == x_test.shape[1:] == (28, 28)
    assert len(x_train) == len(y_train) and len(x_test) == len(y_test)
    assert len(x_train) + len(x_test) == 10_000
    import keras.src.datasets.mnist as keras_mnist

    documented = keras_mnist.load_data.__doc__
    assert "`uint8`" in documented and "`(60000, 28, 28)`" in documented
    assert "`(10000, 28, 28)`" in documented
    assert "Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`" in (
        documented
    )


def test_mnist_has_no_channels_axis(mnist):
    (x_train, _), _ = mnist
    assert x_train.shape == (8000, 28, 28)


# ---- The rank-3 figure


def test_the_rank3_figure_shows_the_stack_and_element_the_page_prints(mnist):
    (x_train, y_train), _ = mnist
    source = RANK3_AXES.read_text()
    assert "stack = x_train[16:20]" in source
    sample, row, column = map(
        int,
        snippet_constant(RANK3_AXES, r"sample, row, column = (\d+, \d+, \d+)").split(
            ", "
        ),
    )
    stack = x_train[16:20]
    value = int(stack[sample, row, column])
    alt = alt_text("rank3_axes.svg")
    assert f"stack[{sample}, {row}, {column}], whose value is {value}" in alt
    assert f"shape {stack.shape}" in alt
    labels = y_train[16:20].tolist()
    assert "(a {}, a {}, a {} and a {})".format(*labels) in alt
    for axis, (name, length) in enumerate(
        [("samples", 4), ("rows", 28), ("columns", 28)]
    ):
        assert f"axis {axis}: {name} (length {length})" in alt
        assert stack.shape[axis] == length


def test_rows_count_from_the_top_and_columns_from_the_left(mnist):
    (x_train, _), _ = mnist
    digit = x_train[16]
    # Matplotlib draws row 0 at the top and column 0 at the left, as the page says
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    image = axes.imshow(digit)
    bottom, top = axes.get_ylim()
    assert top < bottom  # the y axis runs downwards: row 0 is drawn at the top
    left, right = axes.get_xlim()
    assert left < right
    assert image.get_array().shape == (28, 28)
    plt.close(figure)


# ---- The digit and its colour maps


def test_the_drawn_digit_is_the_one_the_alt_text_names(mnist):
    (x_train, y_train), _ = mnist
    index = int(snippet_constant(DRAW_DIGIT, r"index = (\d+)"))
    alt = alt_text("digit.svg")
    assert f"x_train[{index}], a handwritten {y_train[index]}" in alt
    assert x_train[index].shape == (28, 28)


def test_row_7_of_the_digit_crosses_its_top_bar_as_the_page_says(mnist):
    (x_train, _), _ = mnist
    index = int(snippet_constant(DRAW_DIGIT, r"index = (\d+)"))
    row = x_train[index][7].tolist()
    assert row[:17] == [0] * 9 + [255] * 6 + [191, 128]
    assert set(row[17:]) == {0}
    assert "nine 0s, six 255s, then 191 and 128" in page_text()


def test_binary_draws_0_white_and_255_black():
    binary = matplotlib.colormaps["binary"]
    assert binary(0.0) == (1.0, 1.0, 1.0, 1.0)
    assert binary(1.0) == (0.0, 0.0, 0.0, 1.0)


def test_viridis_is_the_default_and_draws_0_dark_purple_and_255_yellow():
    assert matplotlib.rcParamsDefault["image.cmap"] == "viridis"
    viridis = matplotlib.colormaps["viridis"]
    red, green, blue, _ = viridis(0.0)
    assert blue > red > green and max(red, green, blue) < 0.5  # dark purple
    red, green, blue, _ = viridis(1.0)
    assert red > 0.9 and green > 0.85 and blue < 0.2  # yellow


def test_vmin_and_vmax_pin_0_and_255_to_the_ends_of_the_colour_map(mnist):
    import matplotlib.pyplot as plt

    (x_train, _), _ = mnist
    digit = x_train[int(snippet_constant(DRAW_DIGIT, r"index = (\d+)"))]
    figure, axes = plt.subplots()
    # without vmin and vmax, the smallest and largest numbers get the two ends
    unpinned = axes.imshow(np.array([[50, 100]], dtype=np.uint8), cmap="binary")
    assert unpinned.norm(50) == 0.0 and unpinned.norm(100) == 1.0
    image = axes.imshow(digit, cmap="binary", vmin=0, vmax=255)
    assert image.norm(0) == 0.0 and image.norm(255) == 1.0
    assert tuple(image.to_rgba(np.uint8(0))) == (1.0, 1.0, 1.0, 1.0)
    assert tuple(image.to_rgba(np.uint8(255))) == (0.0, 0.0, 0.0, 1.0)
    plt.close(figure)
    source = DRAW_DIGIT.read_text()
    assert '["binary", "viridis"]' in source and "vmin=0, vmax=255" in source


def _drawn_figure(snippet: Path):
    """Run a figure snippet and return its figure instead of saving it."""
    import snippets.figures as figures

    captured = []
    original = figures.save_figure
    figures.save_figure = lambda figure, name: captured.append(figure)
    try:
        runpy.run_path(str(snippet), run_name="__main__")
    finally:
        figures.save_figure = original
    return captured[0]


def _texts_of_different_axes_that_overlap(figure):
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    boxes = []
    for axes in figure.axes:  # colour bars are axes too
        texts = [axes.title, axes.xaxis.label, axes.yaxis.label]
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if low <= tick.get_loc() <= high:
                    texts += [tick.label1, tick.label2]
        for text in texts:
            if text.get_visible() and text.get_text():
                boxes.append((axes, text.get_text(), text.get_window_extent(renderer)))
    return [
        (first[1], second[1])
        for first, second in itertools.combinations(boxes, 2)
        if first[0] is not second[0] and first[2].overlaps(second[2])
    ]


@pytest.mark.parametrize("snippet", [DRAW_DIGIT, CROP_DIGITS, RANK3_AXES])
def test_no_label_of_a_figure_overlaps_a_label_of_another_panel(snippet):
    import matplotlib.pyplot as plt

    figure = _drawn_figure(snippet)
    try:
        assert _texts_of_different_axes_that_overlap(figure) == []
    finally:
        plt.close(figure)


# ---- Slicing


def test_a_single_position_removes_its_axis_and_a_slice_keeps_it(mnist):
    (x_train, _), _ = mnist
    assert x_train[19].shape == (28, 28)
    assert x_train[19:20].shape == (1, 28, 28)


def test_4_to_minus_4_drops_4_at_each_end_from_length_8_up():
    for size in range(8, 100):
        kept = np.arange(size)[4:-4]
        assert kept.tolist() == list(range(4, size - 4))  # four gone at each end
    for size in range(0, 9):
        assert np.arange(size)[4:-4].size == 0  # 8 or fewer: nothing is kept
    assert np.arange(28)[4:-4].size == 20
    assert np.arange(28)[4:-4].tolist() == np.arange(28)[4:24].tolist()


def test_the_crops_are_the_quarter_and_the_centre_the_page_names(mnist):
    (x_train, _), _ = mnist
    batch = x_train[16:20]
    assert np.array_equal(batch[:, 4:-4, 4:-4], batch[:, 4:24, 4:24])
    assert batch[:, :14, :14].shape == (4, 14, 14)
    source = CROP_DIGITS.read_text()
    assert "batch = x_train[16:20]" in source
    alt = alt_text("crops.svg")
    for name, shape in [
        ("batch[:, :, :]", (4, 28, 28)),
        ("batch[:, :14, :14]", (4, 14, 14)),
        ("batch[:, 4:-4, 4:-4]", (4, 20, 20)),
    ]:
        assert f"{name}, shape {shape}" in alt
        assert name in source


def test_the_centre_window_keeps_almost_all_of_the_ink(mnist):
    (x_train, _), _ = mnist
    kept = x_train[:, 4:-4, 4:-4].sum(dtype=np.int64) / x_train.sum(dtype=np.int64)
    assert kept > 0.95


def test_a_numpy_slice_is_a_view_and_writing_into_it_writes_into_the_original(mnist):
    (x_train, _), _ = mnist
    digits = x_train[:2].copy()
    corner = digits[:, :3, :3]
    assert np.shares_memory(corner, digits) and corner.base is not None
    corner[:, :, :] = 255
    assert (digits[:, :3, :3] == 255).all()
    assert not np.shares_memory(digits, x_train)


def test_slicing_copies_no_elements_however_large_the_tensor():
    for size in (10, 10_000_000):
        big = np.zeros(size, dtype=np.uint8)
        part = big[1:-1]
        assert np.shares_memory(part, big)
        assert part.base is big  # a view of the same buffer, not a new one


def test_try_runs_the_except_block_instead_of_stopping():
    ran = []
    try:
        ran.append("try")
        raise TypeError("no item assignment")
    except TypeError as error:
        ran.append(f"except: {error}")
    assert ran == ["try", "except: no item assignment"]


def test_an_eager_tensor_is_the_tf_tensor_of_immediate_computation():
    import tensorflow as tf

    assert tf.executing_eagerly()  # the default: each operation computes at once
    tensor = tf.constant([1, 2]) + 1
    assert type(tensor).__name__ == "EagerTensor" and isinstance(tensor, tf.Tensor)
    assert tensor.numpy().tolist() == [2, 3]  # already computed
    kinds = []

    @tf.function  # told otherwise: a graph, computed later
    def add_one(x):
        kinds.append(type(x + 1).__name__)
        return x + 1

    add_one(tf.constant([1, 2]))
    assert kinds and kinds[0] != "EagerTensor"


def test_a_tensorflow_tensor_cannot_be_assigned_to():
    import tensorflow as tf

    images = tf.constant(np.zeros((2, 28, 28), dtype=np.uint8))
    with pytest.raises(TypeError):
        images[0, 0, 0] = 255
    with pytest.raises(TypeError):
        images[:, 4:-4, 4:-4][0, 0, 0] = 255


def test_both_libraries_slice_with_the_same_syntax(mnist):
    import tensorflow as tf

    (x_train, _), _ = mnist
    digits = x_train[:8]
    tensor = tf.constant(digits)
    for index in [np.s_[2:5], np.s_[:, :14, :14], np.s_[:, 4:-4, 4:-4], np.s_[-3:]]:
        assert np.array_equal(tensor[index].numpy(), digits[index])


# ---- Lists of positions and conditions


def test_indexing_with_a_list_copies_and_keeps_the_order(mnist):
    (x_train, y_train), _ = mnist
    picked = x_train[[9, 3, 7]]
    assert not np.shares_memory(picked, x_train)
    assert [int(y) for y in y_train[[9, 3, 7]]] == [int(y_train[i]) for i in (9, 3, 7)]


def test_a_list_picks_samples_in_numpy_but_one_element_in_tensorflow(mnist):
    import tensorflow as tf

    (x_train, _), _ = mnist
    images = tf.constant(x_train[:50])
    for positions in ([3, 11, 9], [3, 7, 9], [9, 3, 7], [16, 22, 10], [0, 14, 14]):
        assert x_train[positions].shape == (3, 28, 28)  # NumPy: three samples
        element = images[positions]  # TensorFlow: one index per axis
        assert element.shape == ()
        assert int(element) == x_train[tuple(positions)]
        gathered = tf.gather(images, positions)  # TensorFlow: three samples
        assert np.array_equal(gathered.numpy(), x_train[positions])
    # a list of two positions is a row: images[3, 7]
    assert images[[3, 7]].shape == (28,)
    assert np.array_equal(images[[3, 7]].numpy(), x_train[3, 7])


def test_the_element_tensorflow_picks_on_the_page_has_ink(mnist):
    """The page's wrong = images[[a, b, c]] must pick a pixel that is not 0,
    or printing it would not show which element TensorFlow read."""
    import tensorflow as tf

    (x_train, _), _ = mnist
    found = re.search(r"wrong = images\[\[(\d+), (\d+), (\d+)\]\]", PAGE.read_text())
    assert found
    position = tuple(int(k) for k in found.groups())
    value = int(x_train[position])
    assert value != 0 and (x_train[position[0]] == value).mean() < 0.1
    assert int(tf.constant(x_train)[list(position)]) == value
    assert f"() {value} {value}" in page_text()


def test_tensorflow_counts_a_condition_with_cast_and_reduce_sum(mnist):
    import tensorflow as tf

    (x_train, y_train), _ = mnist
    is_seven = tf.constant(y_train) == 7
    assert is_seven.dtype == tf.bool
    assert not hasattr(is_seven, "sum") and not hasattr(is_seven, "mean")
    count = tf.reduce_sum(tf.cast(is_seven, tf.int32))
    assert int(count) == (y_train == 7).sum()


def test_a_bool_tensor_keeps_the_samples_where_it_is_true_in_both_libraries(mnist):
    import tensorflow as tf

    (x_train, y_train), _ = mnist
    kept = x_train[y_train == 7]
    assert kept.shape[1:] == (28, 28) and len(kept) == (y_train == 7).sum()
    assert np.array_equal(
        kept, np.stack([x for x, y in zip(x_train, y_train, strict=True) if y == 7])
    )
    kept_tf = tf.constant(x_train)[tf.constant(y_train) == 7]
    assert np.array_equal(kept_tf.numpy(), kept)


def test_a_comparison_gives_bools_that_count_as_1_and_0(mnist):
    (_, y_train), _ = mnist
    is_seven = y_train == 7
    assert is_seven.dtype == np.bool_ and is_seven.shape == y_train.shape
    assert sum([True, True, False]) == 2 and int(True) == 1 and int(False) == 0
    assert is_seven.sum() == sum(1 for y in y_train if y == 7)
    assert is_seven.mean() == is_seven.sum() / len(y_train)


# ---- Batches


def test_a_slice_past_the_end_stops_and_a_position_past_the_end_fails(mnist):
    (x_train, _), _ = mnist
    assert x_train[7936:8064].shape == (64, 28, 28)
    with pytest.raises(IndexError):
        x_train[8000]


def test_batch_n_cut_in_order_runs_from_128n_to_the_next_or_the_last_sample(mnist):
    (x_train, _), _ = mnist
    number = len(x_train)
    ids = np.arange(number)
    batches = [ids[128 * n : 128 * (n + 1)] for n in range(math.ceil(number / 128))]
    for n, batch in enumerate(batches):
        last = min(128 * (n + 1), number) - 1  # stops at the last sample
        assert (batch[0], batch[-1]) == (128 * n, last)
    assert batch[-1] == number - 1 and 128 * (n + 1) - 1 > number - 1
    assert [len(b) for b in batches] == [128] * 62 + [64]


class _BatchRecorder:
    """A Keras model whose training step records the samples of each batch."""

    @staticmethod
    def batches_fit_feeds(epochs, **fit_arguments):
        import keras

        class Recorder(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(1)
                self.batches = []

            def call(self, inputs):
                return self.dense(inputs)

            def train_step(self, data):
                inputs, _ = data
                self.batches.append(np.asarray(inputs)[:, 0].astype(int).tolist())
                return {"batches": len(self.batches)}

        model = Recorder()
        model.compile(run_eagerly=True)  # so that the step can read the batch
        number = 8000
        ids = np.arange(number, dtype="float32").reshape(number, 1)
        model.fit(
            ids,
            np.zeros((number, 1)),
            batch_size=128,
            epochs=epochs,
            verbose=0,
            **fit_arguments,
        )
        return model.batches


def test_keras_fit_shuffles_before_every_epoch_unless_shuffle_is_false(request):
    if not in_fresh_process(request):
        return  # unseeded shuffling needs a process where no test set determinism
    import keras
    import tensorflow as tf

    assert keras.__version__.startswith("3.15")
    assert inspect.signature(keras.Model.fit).parameters["shuffle"].default is True
    # shuffle=False: the batches are the slices in order
    in_order = _BatchRecorder.batches_fit_feeds(1, shuffle=False)
    assert in_order == [
        list(range(128 * n, min(128 * (n + 1), 8000))) for n in range(63)
    ]
    # the default, with the first network's seed: shuffled, same order every epoch
    keras.utils.set_random_seed(0)
    seeded = _BatchRecorder.batches_fit_feeds(2)
    first_epoch, second_epoch = seeded[:63], seeded[63:]
    assert [len(b) for b in first_epoch] == [128] * 62 + [64]
    assert sorted(itertools.chain(*first_epoch)) == list(range(8000))
    assert first_epoch[0] != list(range(128))
    assert max(first_epoch[0]) > 4000  # batch 0 draws from anywhere in the set
    assert second_epoch == first_epoch
    # without a seed, the order changes from epoch to epoch
    tf.random.set_seed(None)
    unseeded = _BatchRecorder.batches_fit_feeds(2)
    assert [len(b) for b in unseeded[63:]] == [128] * 62 + [64]
    assert unseeded[63:] != unseeded[:63]
    first_network = (REPOSITORY / "docs" / "first-network.md").read_text()
    assert "keras.utils.set_random_seed(0)" in first_network
    fit_call = re.search(r"model\.fit\((.*?)\)", first_network)
    assert fit_call and "shuffle" not in fit_call[1]  # the default: shuffled


def test_only_shuffle_false_keeps_the_samples_of_arrays_in_order():
    import keras

    keras.utils.set_random_seed(0)
    # shuffle="batch" cuts in order but shuffles inside each batch
    by_batch = _BatchRecorder.batches_fit_feeds(1, shuffle="batch")
    in_order = [list(range(128 * n, min(128 * (n + 1), 8000))) for n in range(63)]
    assert [sorted(b) for b in by_batch] == in_order and by_batch != in_order
    assert _BatchRecorder.batches_fit_feeds(1, shuffle=False) == in_order


def test_fit_does_not_shuffle_a_tf_data_dataset_and_warns():
    import keras
    import tensorflow as tf

    class Recorder(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.batches = []

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            inputs, _ = data
            self.batches.append(np.asarray(inputs)[:, 0].astype(int).tolist())
            return {"batches": len(self.batches)}

    keras.utils.set_random_seed(0)
    ids = np.arange(1000, dtype="float32").reshape(1000, 1)
    dataset = tf.data.Dataset.from_tensor_slices((ids, np.zeros((1000, 1)))).batch(100)
    model = Recorder()
    model.compile(run_eagerly=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(dataset, epochs=2, verbose=0)  # shuffle=True, the default
    assert any(
        "`shuffle=True` was passed, but will be ignored" in str(w.message)
        for w in caught
    )
    in_order = [list(range(100 * n, 100 * (n + 1))) for n in range(10)]
    assert model.batches == in_order * 2  # not shuffled, in either epoch
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(dataset, epochs=1, verbose=0, shuffle=False)
    assert not any("shuffle" in str(w.message) for w in caught)


def test_a_tf_data_pipeline_shuffles_itself_through_a_buffer():
    import tensorflow as tf

    documented = tf.data.Dataset.shuffle.__doc__
    assert "fills a buffer with `buffer_size` elements, then randomly" in documented
    assert "samples elements from this buffer" in documented
    assert "buffer_size" in inspect.signature(tf.data.Dataset.shuffle).parameters
    # with a buffer of 3, the first sample is drawn from the first 3 only
    firsts = {
        int(next(iter(tf.data.Dataset.range(100).shuffle(3, seed=seed))))
        for seed in range(40)
    }
    assert firsts <= {0, 1, 2} and len(firsts) > 1


def test_keras_fit_processes_the_short_last_batch():
    import keras

    sizes = []

    class RecordBatchSizes(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            sizes.append(batch)

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    inputs, targets = np.zeros((10, 3)), np.zeros((10, 1))
    model.fit(
        inputs,
        targets,
        batch_size=4,
        epochs=1,
        verbose=0,
        callbacks=[RecordBatchSizes()],
    )
    assert len(sizes) == math.ceil(10 / 4) == 3  # batches of 4, 4 and 2


def test_the_course_batch_size_is_128():
    first_network = (REPOSITORY / "docs" / "first-network.md").read_text()
    assert "batch_size=128" in first_network


# ---- Real-world layouts


def test_keras_puts_channels_last_by_default_and_can_put_them_first():
    import keras

    assert keras.config.image_data_format() == "channels_last"
    try:
        keras.config.set_image_data_format("channels_first")
        assert keras.config.image_data_format() == "channels_first"
    finally:
        keras.config.set_image_data_format("channels_last")


def test_the_example_shapes_tell_the_stories_of_the_table():
    text = page_text()
    # time series: 1,000 recordings of 10 s at 50 readings a second, 3 directions
    assert "(1000, 500, 3)" in text and 10 * 50 == 500
    # video: 4 clips of 2 s at 25 frames a second, 180 × 320 pixels, 3 channels
    assert "(4, 50, 180, 320, 3)" in text and 2 * 25 == 50
    assert "eight seconds of small video in all" in text and 4 * 2 == 8
    assert "(32, 224, 224, 3)" in text and "(500, 6)" in text


def test_float32_takes_four_times_the_bytes_of_uint8():
    shape = (4, 50, 180, 320, 3)
    as_uint8 = np.zeros(shape[1:], dtype=np.uint8).nbytes * shape[0]
    as_float32 = math.prod(shape) * np.dtype(np.float32).itemsize
    assert as_float32 == 4 * as_uint8
    assert as_uint8 == math.prod(shape) == 34_560_000


def test_nbytes_counts_the_elements_and_a_view_counts_its_own(mnist):
    (x_train, _), _ = mnist
    assert x_train.nbytes == x_train.size * x_train.itemsize
    as_float32 = x_train.astype(np.float32)
    assert as_float32.nbytes == 4 * x_train.nbytes  # the dtype matters
    assert "elements of the array" in np.ndarray.nbytes.__doc__
    view = x_train[:, 4:-4, 4:-4]
    assert view.nbytes == view.size * view.itemsize == 3_200_000
    assert view.nbytes != x_train.nbytes  # its own count, not the array's
    assert np.shares_memory(view, x_train)  # the bytes are the original's
    assert view.base is not None and not view.flags.owndata  # no new memory
    # a broadcast view counts a million bytes that rest on a single one
    one = np.ones(1, dtype=np.uint8)
    spread = np.broadcast_to(one, (1000, 1000))
    assert spread.nbytes == 1_000_000 and np.shares_memory(spread, one)


def test_tf_data_streams_from_files_and_from_tensor_slices_holds_a_copy(tmp_path):
    import tensorflow as tf

    documented = tf.data.Dataset.__doc__
    assert (
        "Iteration happens in a streaming fashion, so the full dataset does not "
        "need to\n  fit into memory" in documented
    )
    assert "tf.data.TextLineDataset" in documented
    assert "TFRecordDataset" in documented
    # read from a file, one batch at a time
    lines = tmp_path / "numbers.txt"
    lines.write_text("".join(f"{k}\n" for k in range(10)))
    batches = [b.numpy().tolist() for b in tf.data.TextLineDataset(str(lines)).batch(4)]
    assert [len(b) for b in batches] == [4, 4, 2]
    # from_tensor_slices holds its own copy: changing the array changes nothing
    array = np.arange(10)
    dataset = tf.data.Dataset.from_tensor_slices(array)
    array[:] = -1
    assert [int(k) for k in dataset] == list(range(10))


# ---- Exercises


def test_uint8_arithmetic_wraps_around_silently():
    ink = np.array([250, 255], dtype=np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        total = ink + 10
    assert total.dtype == np.uint8
    assert total.tolist() == [(250 + 10) % 256, (255 + 10) % 256] == [4, 9]


def test_the_first_network_converts_the_images_to_float32():
    first_network = (REPOSITORY / "docs" / "first-network.md").read_text()
    assert 'astype("float32")' in first_network


def test_every_line_of_exercise_5_but_the_first_keeps_the_sample_axis(mnist):
    (x_train, _), _ = mnist
    results = [
        x_train[19],
        x_train[19:20],
        x_train[[19, 19]],
        x_train[:, 0],
        x_train[:5, :, -1],
    ]
    # the sample axis is kept when the first axis still counts samples
    lengths = [1, 2, 8000, 5]
    assert results[0].shape == (28, 28)  # the sample axis is gone
    for result, length in zip(results[1:], lengths, strict=True):
        assert result.shape[0] == length
    assert results[3].shape == (8000, 28)  # the row axis is gone
    assert np.array_equal(results[3], x_train[:, 0, :])
    assert results[4].shape == (5, 28)  # the column axis is gone
    assert np.array_equal(results[4], x_train[:5, :, 27])


def test_a_tensorflow_assignment_raises_tensorflows_own_type_error():
    import tensorflow as tf

    with pytest.raises(TypeError, match="does not support item assignment"):
        tf.constant([1, 2])[0] = 5
    assert "TypeError: a tf.Tensor" not in PAGE.read_text()


# ---- Own examples


def test_the_page_uses_none_of_the_examples_of_chollets_book():
    # Built from pieces so that `git grep` finds these strings nowhere in the book.
    borrowed = [
        "10" + ":100",
        ":, 14" + ":, 14:",
        "7:" + "-7",
        "x_train" + "[4]",
        "120, " + "144, 256",
        "250 " + "trading days",
        "390 " + "minutes",
    ]
    sources = [PAGE, DRAW_DIGIT, CROP_DIGITS, RANK3_AXES]
    for path in sources:
        text = path.read_text()
        assert not [b for b in borrowed if b in text], path.name


# ---- Third referee round


def test_the_item_assignment_error_is_pythons_wording_naming_tensorflows_class():
    import tensorflow as tf

    images = tf.constant(np.zeros((2, 3), dtype=np.uint8))
    eager = type(images)
    # TensorFlow defines no __setitem__: Python raises its own TypeError ...
    assert not [c for c in eager.__mro__ if "__setitem__" in vars(c)]
    with pytest.raises(TypeError) as tensor_error:
        images[0, 0] = 255
    with pytest.raises(TypeError) as tuple_error:
        (1, 2)[0] = 3  # any type without item assignment
    wording = "object does not support item assignment"
    assert str(tuple_error.value) == f"'tuple' {wording}"
    # ... whose only TensorFlow part is the class name
    name = f"{eager.__module__}.{eager.__qualname__}"
    assert str(tensor_error.value) == f"'{name}' {wording}"
    assert "# Python's wording, naming TensorFlow's class" in page_text()


def test_channels_first_puts_the_channels_before_height_and_width():
    import keras

    # images: (samples, channels, height, width), 3 channels read from axis 1
    conv = keras.layers.Conv2D(4, 3, data_format="channels_first")
    conv.build((None, 3, 5, 5))
    assert conv.kernel.shape[2] == 3
    # video for ConvLSTM2D: (samples, time, channels, rows, cols); the channels
    # come after the time axis, not right after the samples axis
    recurrent = keras.layers.ConvLSTM2D(4, 3, data_format="channels_first")
    recurrent.build((None, 2, 3, 5, 5))
    assert recurrent.cell.kernel.shape[2] == 3
    assert "(samples, channels, height, width)" in page_text()


def test_shuffle_buffers_elements_samples_before_batch_and_batches_after():
    import tensorflow as tf

    before = tf.data.Dataset.range(12).shuffle(12, seed=1).batch(4)
    after = tf.data.Dataset.range(12).batch(4).shuffle(3, seed=1)
    before_batches = [b.numpy().tolist() for b in before]
    after_batches = [b.numpy().tolist() for b in after]
    in_order = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    # after batch: whole batches are the elements, moved but never mixed
    assert sorted(after_batches) == in_order and after_batches != in_order
    # before batch: samples are the elements, so the batches mix them
    assert sorted(before_batches) != in_order
    assert sorted(itertools.chain(*before_batches)) == list(range(12))


def test_the_crops_figure_is_three_rows_of_the_same_four_digits(mnist):
    import json

    (x_train, _), _ = mnist
    batch = x_train[16:20]
    described = json.loads(
        (REPOSITORY / "tests" / "figures" / "tensors" / "crops.json").read_text()
    )
    panels = described["axes"]
    assert len(panels) == 12  # three rows of four
    crops = [batch, batch[:, :14, :14], batch[:, 4:-4, 4:-4]]
    for row, images in enumerate(crops):
        for column in range(4):
            (drawn,) = panels[4 * row + column]["images"]
            shown = np.array(drawn["values"]).reshape(drawn["shape"])
            assert np.array_equal(shown, images[column])  # digit `column`, every row
    assert alt_text("crops.svg").startswith(
        "A grid of three rows and four columns: the same four digits"
    )
