/* SPDX-License-Identifier: MIT */
/* Internal, test builds only (make ENPU_AMX_EMULATE=1): the AMX tile
 * instructions gemm_i8_amx.c uses, in plain C, so that the family's control
 * (its steps, tile configurations, the carry between calls, row maps) runs
 * and is checked by the tests on hosts without AMX; its output stage runs
 * on the host's AVX-512 as on a Xeon. Each thread has its own tiles, shaped
 * by LDTILECFG's palette 1. A use the hardware would fault on or compute
 * garbage from (a tile not configured, shapes that do not agree, a config
 * out of range) aborts the process. */
#ifndef ENPU_CPU_AMX_EMULATE_H
#define ENPU_CPU_AMX_EMULATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct emu_tiles {
	bool on;
	uint8_t rows[8];
	uint16_t colsb[8];
	uint8_t data[8][16][64];
} emu_tiles_t;

static _Thread_local emu_tiles_t emu_tiles;

static inline void emu_require(bool ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "amx_emulate: %s\n", what);
	abort();
}

/* LDTILECFG: palette byte 0, colsb (16 x u16) at 16, rows (16 x u8) at 48;
 * the tiles' data zeroed */
static inline void emu_loadconfig(const void *cfg)
{
	const uint8_t *c = cfg;
	emu_require(c[0] == 1, "ldtilecfg: palette not 1");
	memset(&emu_tiles, 0, sizeof(emu_tiles));
	for (int i = 0; i < 8; i++) {
		uint16_t colsb;
		memcpy(&colsb, c + 16 + 2 * i, sizeof(colsb));
		emu_require(c[48 + i] <= 16 && colsb <= 64 && colsb % 4 == 0,
			    "ldtilecfg: a tile's rows or bytes out of range");
		emu_tiles.rows[i] = c[48 + i];
		emu_tiles.colsb[i] = colsb;
	}
	emu_tiles.on = true;
}

static inline void emu_release(void)
{
	memset(&emu_tiles, 0, sizeof(emu_tiles));
}

static inline void emu_tile(int t)
{
	emu_require(emu_tiles.on && t >= 0 && t < 8 && emu_tiles.rows[t] && emu_tiles.colsb[t],
		    "a tile used that is not configured");
}

/* TILELOADD: the configured rows and bytes; the rest of the tile zeroed */
static inline void emu_loadd(int t, const void *base, size_t stride)
{
	emu_tile(t);
	memset(emu_tiles.data[t], 0, sizeof(emu_tiles.data[t]));
	for (int r = 0; r < emu_tiles.rows[t]; r++)
		memcpy(emu_tiles.data[t][r], (const uint8_t *)base + r * stride, emu_tiles.colsb[t]);
}

static inline void emu_stored(int t, void *base, size_t stride)
{
	emu_tile(t);
	for (int r = 0; r < emu_tiles.rows[t]; r++)
		memcpy((uint8_t *)base + r * stride, emu_tiles.data[t][r], emu_tiles.colsb[t]);
}

/* TDPBSSD: C[m][n] += sum over k, i < 4 of A[m][4k + i] * B[k][4n + i],
 * signed bytes, int32 sums that wrap */
static inline void emu_dpbssd(int c, int a, int b)
{
	emu_tile(c);
	emu_tile(a);
	emu_tile(b);
	uint32_t m_n = emu_tiles.rows[c], n_n = emu_tiles.colsb[c] / 4u;
	uint32_t k_n = emu_tiles.colsb[a] / 4u;
	emu_require(emu_tiles.rows[a] == m_n && emu_tiles.rows[b] == k_n &&
			    emu_tiles.colsb[b] == emu_tiles.colsb[c],
		    "tdpbssd: the tiles' shapes do not agree");
	for (uint32_t m = 0; m < m_n; m++)
		for (uint32_t n = 0; n < n_n; n++) {
			int32_t s;
			memcpy(&s, &emu_tiles.data[c][m][4 * n], sizeof(s));
			uint32_t acc = (uint32_t)s;
			for (uint32_t k = 0; k < k_n; k++)
				for (int i = 0; i < 4; i++)
					acc += (uint32_t)((int32_t)(int8_t)emu_tiles.data[a][m][4 * k + i] *
							  (int8_t)emu_tiles.data[b][k][4 * n + i]);
			memcpy(&emu_tiles.data[c][m][4 * n], &acc, sizeof(acc));
		}
}

#undef _tile_loadd
#undef _tile_stored
#undef _tile_dpbssd
#define _tile_loadconfig(cfg) emu_loadconfig(cfg)
#define _tile_release() emu_release()
#define _tile_loadd(t, base, stride) emu_loadd(t, base, stride)
#define _tile_stored(t, base, stride) emu_stored(t, base, stride)
#define _tile_dpbssd(c, a, b) emu_dpbssd(c, a, b)

#endif
