/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */
/*
 * enpu tracepoints (TRACE_SYSTEM enpu). Their arguments are plain scalars, so
 * that BPF programs (tp_btf) and perf read stable names and never driver
 * structures: the argument and field names below are an interface, documented in
 * docs/tracing.md. Never rename one; add new ones.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM enpu

#if !defined(__ENPU_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __ENPU_TRACE_H__

#include <linux/tracepoint.h>

/* @start_ns: the submitting process's start (CLOCK_MONOTONIC): with @pid, names it */
TRACE_EVENT(enpu_job_queued,
	    TP_PROTO(u32 dev, u32 ctx, u32 pid, u64 job, u32 core, u32 priority, u32 bos,
		     u32 cmd_size, u64 start_ns),
	    TP_ARGS(dev, ctx, pid, job, core, priority, bos, cmd_size, start_ns),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, ctx)
			     __field(u32, pid)
			     __field(u64, job)
			     __field(u32, core)
			     __field(u32, priority)
			     __field(u32, bos)
			     __field(u32, cmd_size)
			     __field(u64, start_ns)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->ctx = ctx;
			   __entry->pid = pid;
			   __entry->job = job;
			   __entry->core = core;
			   __entry->priority = priority;
			   __entry->bos = bos;
			   __entry->cmd_size = cmd_size;
			   __entry->start_ns = start_ns;),
	    TP_printk("dev=%u ctx=%u pid=%u job=%llu core=%d priority=%u bos=%u cmd_size=%u start_ns=%llu",
		      __entry->dev, __entry->ctx, __entry->pid, __entry->job, (int)__entry->core,
		      __entry->priority, __entry->bos, __entry->cmd_size, __entry->start_ns)
);

TRACE_EVENT(enpu_job_started,
	    TP_PROTO(u32 dev, u32 core, u32 ctx, u32 pid, u64 job),
	    TP_ARGS(dev, core, ctx, pid, job),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, core)
			     __field(u32, ctx)
			     __field(u32, pid)
			     __field(u64, job)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->core = core;
			   __entry->ctx = ctx;
			   __entry->pid = pid;
			   __entry->job = job;),
	    TP_printk("dev=%u core=%u ctx=%u pid=%u job=%llu", __entry->dev, __entry->core,
		      __entry->ctx, __entry->pid, __entry->job)
);

/*
 * busy_ns: the job's modelled device time at the clock it ran at. wait_ns and
 * run_ns: wall time from enpu_job_queued to enpu_job_started, and from there to
 * this event, measured by the driver, so that one event tells a job's whole
 * timeline and a BPF program needs no state per job.
 */
TRACE_EVENT(enpu_job_done,
	    TP_PROTO(u32 dev, u32 core, u32 ctx, u32 pid, u64 job, u64 cycles, u64 busy_ns,
		     u64 bytes_read, u64 bytes_written, s32 status, u64 wait_ns, u64 run_ns),
	    TP_ARGS(dev, core, ctx, pid, job, cycles, busy_ns, bytes_read, bytes_written, status,
		    wait_ns, run_ns),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, core)
			     __field(u32, ctx)
			     __field(u32, pid)
			     __field(u64, job)
			     __field(u64, cycles)
			     __field(u64, busy_ns)
			     __field(u64, bytes_read)
			     __field(u64, bytes_written)
			     __field(s32, status)
			     __field(u64, wait_ns)
			     __field(u64, run_ns)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->core = core;
			   __entry->ctx = ctx;
			   __entry->pid = pid;
			   __entry->job = job;
			   __entry->cycles = cycles;
			   __entry->busy_ns = busy_ns;
			   __entry->bytes_read = bytes_read;
			   __entry->bytes_written = bytes_written;
			   __entry->status = status;
			   __entry->wait_ns = wait_ns;
			   __entry->run_ns = run_ns;),
	    TP_printk("dev=%u core=%u ctx=%u pid=%u job=%llu cycles=%llu busy_ns=%llu bytes_read=%llu bytes_written=%llu status=%d wait_ns=%llu run_ns=%llu",
		      __entry->dev, __entry->core, __entry->ctx, __entry->pid, __entry->job,
		      __entry->cycles, __entry->busy_ns, __entry->bytes_read,
		      __entry->bytes_written, __entry->status, __entry->wait_ns, __entry->run_ns)
);

TRACE_EVENT(enpu_fault,
	    TP_PROTO(u32 dev, u32 core, u32 ctx, u32 pid, u64 job, s32 status),
	    TP_ARGS(dev, core, ctx, pid, job, status),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, core)
			     __field(u32, ctx)
			     __field(u32, pid)
			     __field(u64, job)
			     __field(s32, status)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->core = core;
			   __entry->ctx = ctx;
			   __entry->pid = pid;
			   __entry->job = job;
			   __entry->status = status;),
	    TP_printk("dev=%u core=%u ctx=%u pid=%u job=%llu status=%d", __entry->dev,
		      __entry->core, __entry->ctx, __entry->pid, __entry->job, __entry->status)
);

TRACE_EVENT(enpu_reset,
	    TP_PROTO(u32 dev, u32 core, u32 ctx, u64 job),
	    TP_ARGS(dev, core, ctx, job),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, core)
			     __field(u32, ctx)
			     __field(u64, job)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->core = core;
			   __entry->ctx = ctx;
			   __entry->job = job;),
	    TP_printk("dev=%u core=%u ctx=%u job=%llu", __entry->dev, __entry->core, __entry->ctx,
		      __entry->job)
);

TRACE_EVENT(enpu_power,
	    TP_PROTO(u32 dev, u32 on),
	    TP_ARGS(dev, on),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, on)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->on = on;),
	    TP_printk("dev=%u on=%u", __entry->dev, __entry->on)
);

TRACE_EVENT(enpu_clock,
	    TP_PROTO(u32 dev, u32 old_mhz, u32 new_mhz),
	    TP_ARGS(dev, old_mhz, new_mhz),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, old_mhz)
			     __field(u32, new_mhz)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->old_mhz = old_mhz;
			   __entry->new_mhz = new_mhz;),
	    TP_printk("dev=%u old_mhz=%u new_mhz=%u", __entry->dev, __entry->old_mhz,
		      __entry->new_mhz)
);
#endif /* __ENPU_TRACE_H__ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE enpu_trace
#include <trace/define_trace.h>
