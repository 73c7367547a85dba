/* SPDX-License-Identifier: MIT */
/* The test list. Plain tests: void test_NAME(tctx *). Per-ISA tests run once
 * per CPU kernel family: void test_NAME(tctx *, enpu_cpu_isa_t). */
#ifndef ENPU_TESTS_H
#define ENPU_TESTS_H

#include "harness.h"

#define PLAIN_TESTS(X)                                                          \
	X(kat_srdhm) X(kat_rdbpot) X(kat_mbqm) X(kat_quantize_multiplier)       \
	X(kat_fp16_from_f32) X(kat_fp16_from_f64) X(kat_fp16_to_f32)            \
	X(kat_ref_gemm_2x2) X(kat_ref_conv_3x3_pad) X(kat_ref_pool)             \
	X(kat_ref_add_mul) X(kat_ref_requant_cast) X(kat_ref_relu6)             \
	X(api_status) X(api_enumerate) X(api_open_errors) X(api_outputs_cleared)                       \
	X(api_refcount_wrap) X(api_buffer_map_sync)                             \
	X(api_buffer_export_import) X(api_tensor_errors) X(api_gemm_errors)     \
	X(api_conv_pool_errors) X(api_pointwise_errors) X(api_fence_host)       \
	X(api_fence_timeout_chain) X(api_fence_error)                           \
	X(api_cross_device_chain) X(api_command_list) X(api_in_order)           \
	X(api_in_order_slow_release)                                            \
	X(api_release_while_pending) X(api_concurrent_submit)                   \
	X(gemm_i8_weight_cache) X(gemm_f16_weight_cache) X(gemm_i8_panel_order) \
	X(gemm_i8_kc) X(cpu_scratch_local) X(kat_ref_gemm_f16)                  \
	X(stats_bpf_abi) X(stats_read_debugfs) X(stats_read_large) X(stats_read_fdinfo) \
	X(stats_read_capacity) X(stats_read_errors) X(stats_bpf_layouts)        \
	X(stats_rates_cores)                                                    \
	X(stats_rates_errors)                                                   \
	X(stats_rates_clients) X(api_fence_device_time) X(api_gpu_device_time)   \
	X(dispatch_heft_paper) X(dispatch_heft_small) X(dispatch_heft_exhaustive) \
	X(dispatch_graph_errors) X(dispatch_identical) X(dispatch_fallback)     \
	X(dispatch_forced) X(dispatch_zero_costs) X(dispatch_clamp_key)         \
	X(dispatch_cost_cache) X(dispatch_overlap)                              \
	X(dispatch_priority) X(host_queue_waiter_runs)                          \
	X(host_queue_waiter_keeps_order) X(host_queue_bounded_and_busy)        \
	X(gpu_import_in_place) X(gpu_import_lifetime) X(gpu_gemm_int_dot) X(gpu_limits) \
	X(host_queue_execute) X(host_queue_exec_error) X(api_execute)                                   \
	X(host_queue_device_time) X(host_queue_waiter_skips_pending)           \
	X(threadpool_every_task_once) X(threadpool_destroy_states) X(threadpool_steals) \
	X(threadpool_burst) X(threadpool_subsets) X(conv_implicit_rows_split) X(cpu_split_extremes) \
	X(conv_implicit_widths) X(conv_cpu_pixel_limit)                                \
	X(requant_lanes_avx2)                                                          \
	X(requant_lanes_avx512)                                                        \
	X(requant_lanes_neon) X(f16_conversions) X(f16_half_kernels) X(f16_panel_rule)      \
	X(gpu_conv_tiled) X(gpu_float_controls_strip) X(gpu_float_controls_off)

/* Tests of one accelerator, named NAME/DEV (filter "/npu" in the VM): the
 * function is test_NAME_DEV(tctx *); it skips where DEV is absent. */
#define DEVICE_TESTS(X)                                                         \
	X(dispatch_identical, gpu) X(dispatch_identical, npu)                   \
	X(dispatch_priority, npu) X(gpu_share, npu)       \
	X(buffer_import_alias, npu) X(import_offset, npu) X(limits, npu)

#define ISA_TESTS(X)                                                            \
	X(gemm_i8_edges) X(gemm_i8_random) X(conv_i8_random) X(conv_i8_edges)   \
	X(dwconv_i8_random) X(pool_i8_random) X(eltwise_i8_random)              \
	X(requant_i8_random) X(cast_random) X(gemm_f16_tol) X(conv_f16_tol)     \
	X(f16_nonfinite) X(conv_grouped_weight_cache)                          \
	X(dwconv_i8_edges) X(dwconv_i8_dm1_random)                              \
	X(conv_small_i8_edges) X(conv_small_i8_fold_edges)                      \
	X(conv_small_i8_hi_limits) X(conv_small_i8_random)                      \
	X(gemv_i8_edges) X(gemm_i8_left_shift) X(gemm_i8_kblocks) X(gemm_i8_a_in_place) \
	X(output_over_input)                                                    \
	X(conv_implicit_i8_edges) X(conv_implicit_i8_random) X(conv_implicit_i8_threads) \
	X(pool_i8_edges)                                                        \
	X(long_reductions) X(conv_i8_relu_ties) X(conv_huge_pads)

#define DECLARE_PLAIN(name) void test_##name(tctx *t);
#define DECLARE_ISA(name) void test_##name(tctx *t, enpu_cpu_isa_t isa);
#define DECLARE_DEVICE(name, dev) void test_##name##_##dev(tctx *t);
PLAIN_TESTS(DECLARE_PLAIN)
ISA_TESTS(DECLARE_ISA)
DEVICE_TESTS(DECLARE_DEVICE)

#endif
