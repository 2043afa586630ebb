/* Compiled kernels for partnerfit.scoring: the weighted sum with blanks and the rank sort.
 *
 * Optional: if this module is not built (no C compiler at install, or Pyodide in xlwings Lite),
 * partnerfit.scoring does the same work with numpy, and tests/test_fast_paths.py checks that
 * both give the same results. Plain C and the buffer protocol: no numpy headers are needed.
 *
 * weighted_sums(matrix, weights, lo, hi, numerator, scored_weight) -> bool
 *     numerator_i     = sum_j w_j x_ij   over the scored (non-NaN) cells of row i
 *     scored_weight_i = sum_j w_j        over the same cells
 *     Returns True if every scored cell lies in [lo, hi]. One pass over the matrix, in any
 *     memory order; the sums add j = 0, 1, ... in that order whatever the layout.
 *
 * rank_scores(values, eligible, unit, rank, order) -> bool
 *     Descending RANK.EQ among the eligible values, compared in whole steps of 1 / unit
 *     (rint(value * unit), as numpy rounds), NaN for the others; and the row order: eligible
 *     rows by rank, ties and the other rows as given. By a least-significant-digit radix sort
 *     of 32-bit keys (11-bit digits; digits that all keys share are skipped). Returns False,
 *     with rank and order unset, where the eligible values are not all within +-1e6 or span
 *     2**32 steps or more.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#if defined(_MSC_VER) && !defined(__clang__)
#define restrict __restrict  /* MSVC's C compiler before C11 mode */
#endif

/* Rows per block: a block's partial sums stay in the L1 cache while the criteria are added
   one after another. */
#define BLOCK 256

static int get(PyObject *object, Py_buffer *view, int flags, int ndim, char kind, Py_ssize_t itemsize,
               const char *what)
{
    if (PyObject_GetBuffer(object, view, flags) < 0)
        return -1;
    const char *format = view->format ? view->format : "B";
    if (*format == '<' || *format == '=' || *format == '@')
        format++;
    int ok = view->ndim == ndim && view->itemsize == itemsize;
    if (kind == 'd')
        ok = ok && strcmp(format, "d") == 0;
    else if (kind == '?')
        ok = ok && strcmp(format, "?") == 0;
    else
        ok = ok && strchr("bhilqn", *format) && format[1] == '\0';
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "%s: expected a %d-d array of %zd-byte %s", what, ndim, itemsize,
                     kind == 'd' ? "floats" : kind == '?' ? "booleans" : "integers");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* One criterion's terms for a cell v of weight w: w v and w where v is scored (not NaN), else
   0; and the lowest and highest scores so far (NaN never wins a comparison). Selects, not
   branches: the compiler vectorises the loops below over rows (given -fno-trapping-math,
   see setup.py). */
#define TERMS(v, w, sa, sb)                               \
    const int scored_##sa = (v) == (v);                   \
    const double sa = scored_##sa ? (w) * (v) : 0.0;      \
    const double sb = scored_##sa ? (w) : 0.0;            \
    low = (v) < low ? (v) : low;                          \
    high = (v) > high ? (v) : high;

/* Adds criteria j .. j + 3 (columns c[0..3], rows `step` doubles apart) to a block of rows,
   in order: four criteria per pass keep the partial sums' loads and stores to one per four
   cells. */
static inline void add_four(const double *const c[4], Py_ssize_t step, const double *w, Py_ssize_t rows, double *restrict a,
                            double *restrict b, double *restrict lowest, double *restrict highest)
{
    const double *restrict c0 = c[0], *restrict c1 = c[1], *restrict c2 = c[2], *restrict c3 = c[3];
    const double w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];  /* locals: no reload per row */
    for (Py_ssize_t i = 0; i < rows; i++) {
        double low = lowest[i], high = highest[i];
        TERMS(c0[i * step], w0, a0, b0)
        TERMS(c1[i * step], w1, a1, b1)
        TERMS(c2[i * step], w2, a2, b2)
        TERMS(c3[i * step], w3, a3, b3)
        a[i] = (((a[i] + a0) + a1) + a2) + a3;
        b[i] = (((b[i] + b0) + b1) + b2) + b3;
        lowest[i] = low;
        highest[i] = high;
    }
}

static inline void add_one(const double *restrict c, Py_ssize_t step, double w, Py_ssize_t rows, double *restrict a,
                           double *restrict b, double *restrict lowest, double *restrict highest)
{
    for (Py_ssize_t i = 0; i < rows; i++) {
        double low = lowest[i], high = highest[i];
        TERMS(c[i * step], w, a0, b0)
        a[i] += a0;
        b[i] += b0;
        lowest[i] = low;
        highest[i] = high;
    }
}

/* Adds criteria 0 .. k - 1 (column j at column + j * ld) to a block of rows, in order. */
static inline void add_columns(const double *column, Py_ssize_t ld, Py_ssize_t step, Py_ssize_t k, const double *weights,
                               Py_ssize_t rows, double *a, double *b, double *lowest, double *highest)
{
    Py_ssize_t j = 0;
    for (; j + 4 <= k; j += 4) {
        const double *c[4] = {column + j * ld, column + (j + 1) * ld, column + (j + 2) * ld, column + (j + 3) * ld};
        add_four(c, step, weights + j, rows, a, b, lowest, highest);
    }
    for (; j < k; j++)
        add_one(column + j * ld, step, weights[j], rows, a, b, lowest, highest);
}

/* On x86-64 Linux with GCC, the block loop is also compiled for AVX2 (four rows per
   instruction instead of two) and the CPU's best version is chosen at load time. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLONES
#endif

/* The sums of weighted_sums, block by block of rows; range = the lowest and highest score. */
CLONES static void sum_blocks(const char *base, Py_ssize_t rs, Py_ssize_t cs, Py_ssize_t n, Py_ssize_t k,
                              const double *weights, double *numerator, double *scored_weight, double range[2])
{
    double low = INFINITY, high = -INFINITY;
    double lowest[BLOCK], highest[BLOCK];
    for (Py_ssize_t start = 0; start < n; start += BLOCK) {
        const Py_ssize_t rows = n - start < BLOCK ? n - start : BLOCK;
        double *a = numerator + start, *b = scored_weight + start;
        const double *column = (const double *)(base + start * rs);
        const Py_ssize_t ld = cs / (Py_ssize_t)sizeof(double), step = rs / (Py_ssize_t)sizeof(double);
        for (Py_ssize_t i = 0; i < rows; i++) {
            a[i] = b[i] = 0.0;
            lowest[i] = INFINITY;
            highest[i] = -INFINITY;
        }
        if (step == 1)  /* a column-major matrix (a DataFrame's): contiguous columns, vector loads */
            add_columns(column, ld, 1, k, weights, rows, a, b, lowest, highest);
        else
            add_columns(column, ld, step, k, weights, rows, a, b, lowest, highest);
        for (Py_ssize_t i = 0; i < rows; i++) {
            low = lowest[i] < low ? lowest[i] : low;
            high = highest[i] > high ? highest[i] : high;
        }
    }
    range[0] = low;
    range[1] = high;
}

static PyObject *weighted_sums(PyObject *self, PyObject *args)
{
    PyObject *m, *w, *num, *cov;
    double lo, hi;
    if (!PyArg_ParseTuple(args, "OOddOO", &m, &w, &lo, &hi, &num, &cov))
        return NULL;
    Py_buffer x = {0}, wv = {0}, nv = {0}, cv = {0};
    if (get(m, &x, PyBUF_RECORDS_RO, 2, 'd', 8, "matrix") < 0)
        return NULL;
    if (get(w, &wv, PyBUF_CONTIG_RO | PyBUF_FORMAT, 1, 'd', 8, "weights") < 0)
        goto fail;
    if (get(num, &nv, PyBUF_CONTIG | PyBUF_FORMAT, 1, 'd', 8, "numerator") < 0)
        goto fail;
    if (get(cov, &cv, PyBUF_CONTIG | PyBUF_FORMAT, 1, 'd', 8, "scored_weight") < 0)
        goto fail;
    const Py_ssize_t n = x.shape[0], k = x.shape[1];
    if (wv.shape[0] != k || nv.shape[0] != n || cv.shape[0] != n) {
        PyErr_SetString(PyExc_ValueError, "weighted_sums: shapes do not match");
        goto fail;
    }
    const char *base = x.buf;
    const Py_ssize_t rs = x.strides[0], cs = x.strides[1];
    const double *weights = wv.buf;
    double *numerator = nv.buf, *scored_weight = cv.buf;
    double range[2];
    Py_BEGIN_ALLOW_THREADS
    sum_blocks(base, rs, cs, n, k, weights, numerator, scored_weight, range);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&x);
    PyBuffer_Release(&wv);
    PyBuffer_Release(&nv);
    PyBuffer_Release(&cv);
    return PyBool_FromLong(lo <= range[0] && range[1] <= hi);
fail:  /* releasing a view that was not taken (or was released) does nothing */
    PyBuffer_Release(&x);
    PyBuffer_Release(&wv);
    PyBuffer_Release(&nv);
    PyBuffer_Release(&cv);
    return NULL;
}

#define DIGIT 11
#define PASSES 3  /* 11-bit digits of a 32-bit key */
#define BUCKETS (1 << DIGIT)

/* The stable ascending order of 32-bit keys, by least-significant-digit radix sort: each key
   travels with its index in one 64-bit word (key << 32 | index), one pass per 11-bit digit of
   the key, skipping digits that all keys share. Returns the sorted words (in `words` or
   `spare`). */
static uint64_t *radix_sort(uint64_t *words, uint64_t *spare, Py_ssize_t n)
{
    Py_ssize_t count[PASSES][BUCKETS] = {{0}};
    for (Py_ssize_t i = 0; i < n; i++)
        for (int p = 0; p < PASSES; p++)
            count[p][(words[i] >> (32 + DIGIT * p)) & (BUCKETS - 1)]++;
    for (int p = 0; p < PASSES; p++) {
        const int shift = 32 + DIGIT * p;
        if (n == 0 || count[p][(words[0] >> shift) & (BUCKETS - 1)] == n)
            continue;  /* every key has this digit: the order stays */
        Py_ssize_t position = 0, *next = count[p];
        for (int d = 0; d < BUCKETS; d++) {
            const Py_ssize_t c = next[d];
            next[d] = position;
            position += c;
        }
        for (Py_ssize_t i = 0; i < n; i++)
            spare[next[(words[i] >> shift) & (BUCKETS - 1)]++] = words[i];
        uint64_t *sorted = spare;
        spare = words;
        words = sorted;
    }
    return words;
}

/* rint(y) for |y| < 2**51, as numpy rounds (half to even), without a call to the C library:
   adding 1.5 * 2**52 leaves no bits below the unit, and the sum is rounded as the FPU rounds. */
static inline double nearest(double y)
{
    const double magic = 6755399441055744.0;
    return (y + magic) - magic;  /* not y: IEEE arithmetic is not folded without -ffast-math */
}

static PyObject *rank_scores(PyObject *self, PyObject *args)
{
    PyObject *v, *e, *r, *o;
    double unit;
    if (!PyArg_ParseTuple(args, "OOdOO", &v, &e, &unit, &r, &o))
        return NULL;
    Py_buffer vv = {0}, ev = {0}, rv = {0}, ov = {0};
    if (get(v, &vv, PyBUF_CONTIG_RO | PyBUF_FORMAT, 1, 'd', 8, "values") < 0)
        return NULL;
    if (get(e, &ev, PyBUF_CONTIG_RO | PyBUF_FORMAT, 1, '?', 1, "eligible") < 0
        || get(r, &rv, PyBUF_CONTIG | PyBUF_FORMAT, 1, 'd', 8, "rank") < 0
        || get(o, &ov, PyBUF_CONTIG | PyBUF_FORMAT, 1, 'i', sizeof(Py_ssize_t), "order") < 0)
        goto done;
    const Py_ssize_t n = vv.shape[0];
    if (ev.shape[0] != n || rv.shape[0] != n || ov.shape[0] != n || n > (Py_ssize_t)UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "rank_scores: arrays differ in length (or are too long)");
        goto done;
    }
    uint64_t *words = PyMem_Malloc(2 * (size_t)(n ? n : 1) * sizeof *words);
    if (!words) {
        PyErr_NoMemory();
        goto done;
    }
    const double *value = vv.buf;
    const char *eligible = ev.buf;
    double *rank = rv.buf;
    Py_ssize_t *order = ov.buf;
    int fits = 1;
    Py_BEGIN_ALLOW_THREADS
    /* Keys: whole steps of `unit` below the highest eligible value (NaN fails the range test);
       each value's steps wait in rank[i]. */
    double top = -INFINITY;
    for (Py_ssize_t i = 0; i < n; i++)
        if (eligible[i]) {
            const double x = value[i];
            fits &= x > -1e6 && x < 1e6;
            const double step = nearest(x * unit);
            top = step > top ? step : top;
            rank[i] = step;
        }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; fits && i < n; i++) {
        if (eligible[i]) {
            const double key = top - rank[i];
            fits &= key < 4294967296.0;
            words[m++] = (uint64_t)(fits ? key : 0) << 32 | (uint64_t)i;
        }
        rank[i] = NAN;
    }
    if (fits) {
        const uint64_t *sorted = radix_sort(words, words + m, m);
        /* RANK.EQ: each run of equal keys takes 1 + the position of its first key. */
        Py_ssize_t first = 0;
        for (Py_ssize_t i = 0; i < m; i++) {
            if (sorted[i] >> 32 != sorted[first] >> 32)
                first = i;
            order[i] = (Py_ssize_t)(sorted[i] & UINT32_MAX);
            rank[order[i]] = (double)(first + 1);
        }
        for (Py_ssize_t i = 0; i < n; i++)  /* then the others, as given */
            if (!eligible[i])
                order[m++] = i;
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(words);
done:
    PyBuffer_Release(&vv);
    PyBuffer_Release(&ev);
    PyBuffer_Release(&rv);
    PyBuffer_Release(&ov);
    if (PyErr_Occurred())
        return NULL;
    return PyBool_FromLong(fits);
}

static PyMethodDef methods[] = {
    {"weighted_sums", weighted_sums, METH_VARARGS,
     "weighted_sums(matrix, weights, lo, hi, numerator, scored_weight) -> all scored cells in [lo, hi]"},
    {"rank_scores", rank_scores, METH_VARARGS,
     "rank_scores(values, eligible, unit, rank, order) -> False if the values span too many units"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, .m_name = "_kernels", .m_size = -1, .m_methods = methods};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
