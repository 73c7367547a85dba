/* SPDX-License-Identifier: MIT */
/* int8 convolution as an implicit GEMM (no im2col), for kernel families with
 * kernel_out whose A packing is elementwise (gemm_i8_kernels.h: u8 a + 128,
 * int16 a - zp, or raw int8). The input is copied once per call into a
 * zero-point-padded buffer already in the kernel's A form; then for a run of
 * output pixels of one output row, the k_w taps of one kernel row are
 * k_w * Cin consecutive elements of that buffer, and consecutive output
 * pixels are stride_w * Cin elements apart: the K segment of kernel row kh
 * is a plain GEMM block with lda = stride_w * Cin elements, and the filter's
 * K order (kh, kw, c) is the packed B's. Padding taps read the zero point
 * (+128 or raw: cancelled by the effective bias as for im2col; - zp: 0). Where
 * k_w * Cin is not a multiple of the family's K group, each kernel row's
 * segment of B gets zero weights up to one, and the segment of A reads as
 * many elements past its end (a zero weight's, so any value; the buffer has
 * a zeroed tail for the last one). A family with kernel_out_segs (all with
 * kernel_out) takes the kernel rows of one output run as K segments of one
 * call (AMX up to its K block), so that its sums stay in registers across
 * them. With stride 1 AMX's runs wrap across output rows: output pixel
 * (oh, ow) is row oh * pw + ow of the padded buffer read with lda = Cin, so
 * one call covers several output rows, with k_w - 1 rows per output row
 * that are not outputs (computed, not written: a row map).
 * Bit-identical to im2col + GEMM: the same integer sums. */
#include <stdlib.h>
#include <string.h>
#include "cpu_device.h"

/* Output pixels per kernel call at most (acc: this many rows x nr int32) */
#define ROWS_MAX 96u

typedef struct job {
	const cpu_device_t *d;
	const enpu_conv_op_t *c;
	const cpu_i8_packed_t *b;
	const int8_t *in;
	int8_t *out;
	uint8_t *pad;           /* [batch][ph][pw][in_c] in the A form */
	uint32_t ph, pw;
	uint32_t seg;           /* K per kernel row: k_w * in_c, up to the K group */
	uint32_t segs;          /* kernel rows per kernel_out_segs call */
	bool wrap;              /* runs wrap across output rows (wraps()) */
	uint32_t span;          /* one run's space: out_w, or wrapping the image's rows */
	uint32_t wchunks, rows; /* span split into wchunks runs of <= rows */
	uint32_t pan_per_chunk, nchunks;
	cpu_scratch_t acc;      /* per thread: the family's carry, then rows (rounded
				 * up to mr) x nr int32 */
} job_t;

/* Runs wrap across output rows: stride 1, a family with conv_wrap (row
 * maps: AMX), at most a third of the rows not outputs. On the
 * H100 host's Xeon (AMX, 1 thread, bench/ab vs im2col + GEMM): 3x3
 * 14x14x256 1.09x, 14x14x128 1.20x, 7x7x512 1.05x. Wider rows wrap too
 * since the AMX kernel carries its tiles across calls and ends a call over
 * rows done instead of with a shorter tile (vs calls per output row: 56
 * wide 1.08-1.12x, 112 wide 1.07-1.08x, 28 wide within the noise; the
 * twelfth session had 28 wide at 0.83x before). AVX2's 6-row tiles gained
 * nothing from it (0.81-0.97x at 56..7 wide, vs calls per row or im2col). */
static bool wraps(const cpu_i8_gemm_ops_t *o, const enpu_conv_op_t *c)
{
	return o->conv_wrap && c->stride_h == 1 && c->stride_w == 1 &&
	       2 * ((uint64_t)c->k_w - 1) <= c->out_w &&
	       (uint64_t)c->out_h * ((uint64_t)c->out_w + c->k_w - 1) <= UINT32_MAX;
}

/* The padded input's rows and columns: what the output grid reads, and at
 * least the input after its top / left padding (so that every input row and
 * column has a place). False where either exceeds 32 bits. */
static bool padded_size(const enpu_conv_op_t *c, uint32_t *ph, uint32_t *pw)
{
	uint64_t h = (uint64_t)(c->out_h - 1) * c->stride_h + c->k_h;
	uint64_t w = (uint64_t)(c->out_w - 1) * c->stride_w + c->k_w;
	if (h < (uint64_t)c->pad_t + c->in_h)
		h = (uint64_t)c->pad_t + c->in_h;
	if (w < (uint64_t)c->pad_l + c->in_w)
		w = (uint64_t)c->pad_l + c->in_w;
	*ph = (uint32_t)h;
	*pw = (uint32_t)w;
	return h <= UINT32_MAX && w <= UINT32_MAX;
}

/* Whether calls of w output pixels suit the family (conv_min_rows,
 * conv_min_tile). */
static bool takes_width(const cpu_i8_gemm_ops_t *o, uint32_t w)
{
	return w && w >= o->conv_min_rows &&
	       (!o->conv_min_tile || w / cpu_div_up(w, o->mr) >= o->conv_min_tile);
}

bool cpu_conv_implicit_accepts(const cpu_device_t *d, const enpu_conv_op_t *c)
{
	const cpu_i8_gemm_ops_t *o = d->i8;
	/* A kernel call covers one output row at most (unless it wraps): where
	 * the output row's tiles are few or short the last tile's exposed
	 * output stage costs more than im2col saves (AVX-512 VNNI, 1 thread,
	 * 3x3, all kernel rows in one call, vs im2col + GEMM: 14x14x256 1.03x,
	 * 14x14x64 1.19x, 28x28x64 stride 2 1.16x, 12x12x128 1.05x, 10x10x256
	 * 1.04x, 9x9x128 1.04x, 8x8x256 1.03x; 11 wide (tiles of 4, 4 and 3)
	 * 0.95x, 7 0.93x, 6 0.82x); NEON from 7 pixels, AVX2 from 2 tiles
	 * (their gemm_i8_*.c); AMX from one tile (56x56x64 3x3 stride 1
	 * 1.69x, 28x28x128 1.48x, 56x56x64->128 stride 2 1.52x). cpu_conv
	 * sends pads of a kernel or more to im2col before asking. */
	uint32_t ph, pw;
	return o->kernel_out && c->groups == 1 && c->dil_h == 1 && c->dil_w == 1 &&
	       padded_size(c, &ph, &pw) && (wraps(o, c) || takes_width(o, c->out_w));
}

uint32_t cpu_conv_implicit_rows(const cpu_i8_gemm_ops_t *o, uint32_t span, size_t lines,
				uint32_t panels, uint32_t want)
{
	uint32_t wchunks = cpu_div_up(span, ROWS_MAX);
	uint32_t rows = cpu_div_up(span, wchunks);
	const uint32_t min_rows = o->conv_min_rows;
	if (lines * wchunks * panels >= want || rows <= min_rows)
		return rows;
	size_t runs = ((size_t)want + panels - 1) / panels;
	size_t per_line = (runs + lines - 1) / lines;
	uint32_t r = (uint32_t)(span / per_line) / o->mr * o->mr;
	return r < min_rows ? min_rows : r < rows ? r : rows;
}

/* Padded row pr of image n, one byte per element: a ^ flip (0x80: u8
 * a + 128; 0: raw int8), border zp ^ flip. */
static void pad_bytes(const job_t *j, uint32_t n, uint32_t pr, uint8_t flip)
{
	const enpu_conv_op_t *c = j->c;
	/* locals: the byte stores below may alias the op's fields */
	const size_t pixel = c->in_c, left = c->pad_l * pixel, inside = c->in_w * pixel;
	const size_t row = j->pw * pixel;
	const uint8_t border = (uint8_t)c->in_zp ^ flip;
	uint8_t *restrict dst = j->pad + ((size_t)n * j->ph + pr) * row;
	if (pr < c->pad_t || pr >= c->pad_t + c->in_h) {
		memset(dst, border, row);
		return;
	}
	const uint8_t *restrict src =
		(const uint8_t *)j->in + ((size_t)n * c->in_h + (pr - c->pad_t)) * inside;
	memset(dst, border, left);
	for (size_t i = 0; i < inside; i++)
		dst[left + i] = src[i] ^ flip;
	memset(dst + left + inside, border, row - left - inside);
}

/* Padded row pr of image n, int16 a - zp (border: 0). */
static void pad_s16(const job_t *j, uint32_t n, uint32_t pr)
{
	const enpu_conv_op_t *c = j->c;
	const size_t pixel = c->in_c, left = c->pad_l * pixel, inside = c->in_w * pixel;
	const size_t row = j->pw * pixel;
	const int16_t zp = (int16_t)c->in_zp;
	int16_t *restrict dst = (int16_t *)j->pad + ((size_t)n * j->ph + pr) * row;
	if (pr < c->pad_t || pr >= c->pad_t + c->in_h) {
		memset(dst, 0, row * sizeof(int16_t));
		return;
	}
	const int8_t *restrict src = j->in + ((size_t)n * c->in_h + (pr - c->pad_t)) * inside;
	memset(dst, 0, left * sizeof(int16_t));
	for (size_t i = 0; i < inside; i++)
		dst[left + i] = (int16_t)(src[i] - zp);
	memset(dst + left + inside, 0, (row - left - inside) * sizeof(int16_t));
}

static void pad_task(void *arg, size_t task, unsigned thread)
{
	(void)thread;
	const job_t *j = arg;
	const uint32_t n = (uint32_t)(task / j->ph), pr = (uint32_t)(task % j->ph);
	switch (j->d->i8->a_pack) {
	case A_MINUS_ZP: pad_s16(j, n, pr); break;
	case A_RAW:
	case A_RAW_PLUS_128: pad_bytes(j, n, pr, 0); break;
	case A_PLUS_128: pad_bytes(j, n, pr, 0x80); break;
	}
}

/* One run of output pixels (image n, output row oh, columns from ow0; with
 * wrap rows from r0 of image n) x one chunk of panels. */
static void conv_task(void *arg, size_t task, unsigned thread)
{
	const job_t *j = arg;
	const enpu_conv_op_t *c = j->c;
	const cpu_i8_gemm_ops_t *o = j->d->i8;
	const cpu_i8_packed_t *pb = j->b;
	uint32_t pc = (uint32_t)(task % j->nchunks);
	size_t run = task / j->nchunks;
	uint32_t wc = (uint32_t)(run % j->wchunks);
	uint32_t oh = j->wrap ? 0 : (uint32_t)(run / j->wchunks % c->out_h);
	uint32_t n = (uint32_t)(run / j->wchunks / (j->wrap ? 1 : c->out_h));
	/* the run's first row: output pixel (oh, ow0), or with wrap row r0 of
	 * the padded image (pixel (r0 / pw, r0 % pw), an output if r0 % pw <
	 * out_w), its first output the next pixel of C from there */
	uint32_t r0 = wc * j->rows, ow0 = r0;
	uint32_t rows = j->span - r0 < j->rows ? j->span - r0 : j->rows;
	cpu_row_map_t map = { .period = j->pw, .keep = c->out_w, .phase = r0 % j->pw };
	size_t c_pixel = (size_t)oh * c->out_w + ow0;
	if (j->wrap) /* A: stride 1, so row r0 is at pixel ow0 = r0 of row 0 */
		c_pixel = (size_t)(r0 / j->pw) * c->out_w +
			  (map.phase < c->out_w ? map.phase : c->out_w);
	uint32_t seg = j->seg;
	size_t lda = (size_t)c->stride_w * c->in_c * o->a_elem;
	size_t row_bytes = (size_t)j->pw * c->in_c * o->a_elem; /* one kernel row down */
	uint8_t *carry = cpu_scratch_at(&j->acc, thread);
	int32_t *acc = (int32_t *)(carry + o->carry_bytes);
	if (o->task_begin)
		o->task_begin(carry);
	uint32_t pan1 = (pc + 1) * j->pan_per_chunk < pb->panels ? (pc + 1) * j->pan_per_chunk
								  : pb->panels;
	for (uint32_t pan = pc * j->pan_per_chunk; pan < pan1; pan++) {
		uint32_t n0 = pan * o->nr;
		const uint8_t *bp = pb->bpack + pan * pb->panel_bytes;
		cpu_i8_out_t out = {
			.beff = pb->beff + n0, .rq = pb->rq + n0 / 16 * o->rq_size,
			.any_left = pb->any_left,
			.zp = c->out_zp, .qmin = c->clamp.qmin, .qmax = c->clamp.qmax,
			.n = c->out_c - n0 < o->nr ? c->out_c - n0 : o->nr,
			.c = j->out + ((size_t)n * c->out_h * c->out_w + c_pixel) * c->out_c + n0,
			.ldc = c->out_c, .carry = carry, .prefetch = j->d->prefetch,
		};
		for (uint32_t kh = 0, nseg; kh < c->k_h; kh += nseg) {
			const uint8_t *a = j->pad + ((((size_t)n * j->ph + (size_t)oh * c->stride_h + kh) *
							      j->pw +
						      (size_t)ow0 * c->stride_w) *
						     c->in_c) * o->a_elem;
			const uint8_t *bk = bp + (size_t)kh * seg * o->nr * o->b_elem;
			nseg = c->k_h - kh < j->segs ? c->k_h - kh : j->segs;
			if (nseg > 1) {
				o->kernel_out_segs(a, lda, row_bytes, nseg, bk, seg, rows, acc, kh == 0,
						   kh + nseg == c->k_h, &out, j->wrap ? &map : NULL);
				continue;
			}
			for (uint32_t k0 = 0, kc = j->d->kc; k0 < seg; k0 += kc) {
				uint32_t klen = seg - k0 < kc ? seg - k0 : kc;
				bool first = kh == 0 && k0 == 0, last = kh + 1 == c->k_h && k0 + klen == seg;
				const uint8_t *ak = a + (size_t)k0 * o->a_elem;
				const uint8_t *bkk = bk + (size_t)k0 * o->nr * o->b_elem;
				/* kernel_out: one segment a constant (VNNI 1% faster) */
				if (j->wrap)
					o->kernel_out_segs(ak, lda, 0, 1, bkk, klen, rows, acc, first,
							   last, &out, &map);
				else
					o->kernel_out(ak, lda, bkk, klen, rows, acc, first, last, &out);
			}
		}
	}
	if (o->task_end)
		o->task_end(carry);
}

enpu_status_t cpu_conv_implicit(const cpu_device_t *d, const enpu_op_t *op, void *out)
{
	const enpu_conv_op_t *c = &op->u.conv;
	const cpu_i8_gemm_ops_t *o = d->i8;
	uint32_t seg = c->k_w * c->in_c, segp = (seg + o->kgroup - 1) / o->kgroup * o->kgroup;
	uint32_t k = c->k_h * segp;
	const int8_t *f = enpu_op_host_ptr(op, ENPU_OP_IN1);
	int8_t *fpad = NULL; /* the filter with each kernel row's segment padded */
	if (segp != seg) {
		fpad = calloc((size_t)c->out_c * k, 1);
		if (!fpad)
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "cpu conv: out of memory");
		for (size_t r = 0; r < (size_t)c->out_c * c->k_h; r++)
			memcpy(fpad + r * segp, f + r * seg, seg);
	}
	cpu_gemm_problem_t p = {
		.n = c->out_c, .k = k, .b = fpad ? fpad : f,
		.bias = enpu_op_host_ptr(op, ENPU_OP_IN2), .mult = c->mult, .shift = c->shift,
		.a_zp = c->in_zp, .cache = cpu_cache_slot(op),
	};
	job_t j = { .d = d, .c = c, .in = enpu_op_host_ptr(op, ENPU_OP_IN0),
		    .out = out, .seg = segp, .segs = 1 };
	/* whole kernel rows in one call, up to the family's limit: all of them
	 * except on AMX (1 thread, vs a call per kernel row, 3x3: AVX-512 VNNI
	 * 56x56x64 1.02x, 28x28x128 1.01x, 56x56x32 1.05x, 28x28x256 1.01x;
	 * AVX2 56x56x64 and 28x28x128 1.01x; VNNI vs calls of up to 512 of K,
	 * B read from L2: 14x14x512 1.03x, 28x28x512 1.02-1.04x,
	 * 28x28x256 1.03x) */
	if (o->kernel_out_segs)
		j.segs = !o->conv_segs_k		? c->k_h
			 : segp <= o->conv_segs_k ? o->conv_segs_k / segp
						  : 1;
	padded_size(c, &j.ph, &j.pw); /* within 32 bits: cpu_conv_implicit_accepts */
	/* wrapping: the rows from pixel (0, 0) to (out_h - 1, out_w - 1) */
	j.wrap = wraps(o, c);
	j.span = j.wrap ? (c->out_h - 1) * j.pw + c->out_w : c->out_w;
	const size_t lines = (size_t)c->batch * (j.wrap ? 1 : c->out_h); /* spans */
	size_t m = lines * j.span; /* the GEMM's M, only for the thread count */
	unsigned use = cpu_gemm_threads(d, m < UINT32_MAX ? (uint32_t)m : UINT32_MAX, c->out_c, k);
	uint32_t want = use > 1 ? 4u * use : 1u;
	bool owned;
	j.b = cpu_gemm_i8_pack(d, &p, &owned);
	free(fpad);
	enpu_status_t st = ENPU_OK;
	if (!j.b)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "cpu conv: out of memory");
	j.rows = cpu_conv_implicit_rows(o, j.span, lines, j.b->panels, want);
	j.wchunks = cpu_div_up(j.span, j.rows);
	size_t runs = lines * j.wchunks;
	/* panels split only where there are too few runs for the threads */
	uint32_t chunks = runs >= want ? 1 : (uint32_t)((want + runs - 1) / runs);
	if (chunks > j.b->panels)
		chunks = j.b->panels;
	j.pan_per_chunk = cpu_div_up(j.b->panels, chunks);
	j.nchunks = cpu_div_up(j.b->panels, j.pan_per_chunk);
	size_t pad_bytes = (size_t)c->batch * j.ph * j.pw * c->in_c * o->a_elem;
	size_t tail = (size_t)(segp - seg) * o->a_elem;
	j.pad = cpu_alloc(pad_bytes + tail);
	if (j.pad)
		memset(j.pad + pad_bytes, 0, tail);
	_Alignas(64) uint8_t local[CPU_SCRATCH_LOCAL];
	j.acc = cpu_scratch_alloc(use,
				  o->carry_bytes + (size_t)(j.rows + o->mr - 1) / o->mr * o->mr *
							   o->nr * sizeof(int32_t),
				  local);
	if (!j.pad || !j.acc.base) {
		st = enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "cpu conv: out of memory");
	} else {
		/* on the op's threads: alone, the calling thread took back every
		 * line of the buffer that the other threads' tasks had read in the
		 * call before (conv3x3 56x56x64 at 2 threads, Zen 4: 15.8 us for
		 * the copy alone against 6.3 at 1 thread). Contiguous ranges of
		 * rows, as the tasks below are split, so each thread mostly pads
		 * the rows it then reads. */
		cpu_threadpool_run_on(d->pool, use, (size_t)c->batch * j.ph, pad_task, &j);
		cpu_run_tasks(d, use, runs * j.nchunks, conv_task, &j);
	}
	free(j.pad);
	cpu_scratch_free(&j.acc);
	cpu_i8_packed_release(j.b, owned);
	return st;
}
