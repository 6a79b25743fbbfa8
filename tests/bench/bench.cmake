# Benchmark support, included from the top-level CMakeLists.txt (include(tests/bench/bench.cmake)).
# Defines only the random-number floor executable that tests/bench/run.sh times; the benchmark
# is not a test (no ctest entries) and never asserts a speed. See tests/bench/README.md.

add_executable(bench_floor ${CMAKE_CURRENT_LIST_DIR}/floor.c)
target_compile_options(bench_floor PRIVATE ${TSIM_WARNINGS})
# clock_gettime(CLOCK_MONOTONIC) is POSIX: asked for here, the library no longer passes it on.
target_compile_definitions(bench_floor PRIVATE _POSIX_C_SOURCE=200809L)
target_link_libraries(bench_floor PRIVATE tsim)
