/* SPDX-License-Identifier: MIT */
#include "kblock.h"
#include "../../libhal/src/backend.h"
#include "../../libhal/src/cpu/cpu_device.h"

static cpu_device_t *cpu_dut(const t_env *e)
{
	return e->cpu->backend == &enpu_cpu_backend ? e->cpu->state : NULL;
}

unsigned t_kblocks(const t_env *e)
{
	const cpu_device_t *d = cpu_dut(e);
	return d && d->i8->kc_big ? 2 : 1;
}

void t_kblock_use(t_env *e, unsigned i)
{
	cpu_device_t *d = cpu_dut(e);
	if (d)
		d->kc = i && d->i8->kc_big ? d->i8->kc_big : d->i8->kc;
}

uint32_t t_kblock(const t_env *e)
{
	const cpu_device_t *d = cpu_dut(e);
	return d ? d->kc : 0;
}
