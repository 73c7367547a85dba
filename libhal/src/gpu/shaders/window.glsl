// SPDX-License-Identifier: MIT
// The walk over a window's taps shared by conv.glsl and pool.comp: one loop
// over the reduction (kernel row, column, input channel, in the reference's
// order), two taps an iteration, for all the elements of an invocation's
// output word at once (their windows differ; the tap's offsets do not).
//
// Why one loop: lavapipe (llvmpipe) ends an invocation's loops, without an
// error, once they have run 65535 iterations in all (its
// LP_MAX_TGSI_LOOP_ITERATIONS, shared by every loop of a shader). A loop per
// element, or per kernel row and column, runs past that for legal ops
// (reductions and pool windows of up to 65536 taps, 4 elements a word); this
// walk takes at most 32768 iterations.

// A tap: r, its index in the reduction (a filter's offset within one output
// channel); off, its input element's offset from the window's first (top
// left, channel 0); dh, dw, its input row and column from the window's first.
struct tap_t {
	int ic, kw, r, off, dh, dw;
};

// A window: input channels per tap, kernel width, dilations, and the input's
// pixel and row strides (elements).
struct window_t {
	int cin, k_w, dil_h, dil_w, pixel, row;
};

void tap_next(inout tap_t t, window_t w)
{
	t.r++;
	t.off++;
	if (++t.ic < w.cin)
		return;
	t.ic = 0;
	t.dw += w.dil_w;
	t.off += w.dil_w * w.pixel - w.cin;
	if (++t.kw < w.k_w)
		return;
	t.kw = 0;
	t.dw = 0;
	t.dh += w.dil_h;
	t.off = t.dh * w.row;
}

// Runs STEP(t) on the taps t of a window w of `taps` taps, in order.
#define WALK(taps, w, STEP)                                                      \
	tap_t t = tap_t(0, 0, 0, 0, 0, 0);                                       \
	for (int i = 0; i < (taps); i += 2) {                                    \
		STEP(t);                                                         \
		tap_next(t, w);                                                  \
		if (i + 1 < (taps)) {                                            \
			STEP(t);                                                 \
			tap_next(t, w);                                          \
		}                                                                \
	}
