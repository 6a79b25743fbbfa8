# Test registry, included from the top-level CMakeLists.txt. One small executable per module
# (tests/test_<module>.c), named <unit>_should_<behaviour> in ctest, plus command-level tests
# driven by shell scripts. Run with: ctest --test-dir build --output-on-failure
#
# Every test has one label: `fast` (together well under a minute: ctest --test-dir build -L fast)
# or `slow` (the long statistical and whole-run comparisons, and the recomputations with R).
# A test whose tool is absent (R, MPI, a vector instruction set of the processor) exits 77 and
# shows as skipped (SKIP_RETURN_CODE), never as passed. A test's program, script or data that
# is missing fails the configure (programs, scripts) or the test (data): nothing is left out
# silently.

set(TSIM_SRC ${CMAKE_CURRENT_SOURCE_DIR})
set(TSIM_SH ${TSIM_SRC}/tests)
set(TSIM_SCN ${TSIM_SRC}/scenarios)

# tsim_test(NAME LABEL COMMAND...): one ctest entry with its label. (An argument holding a ';'
# arrives split in two: write shell commands without one.)
function(tsim_test name label)
  if(NOT label MATCHES "^(fast|slow|fuzz)$")
    message(FATAL_ERROR "test ${name}: label '${label}' is neither fast, slow nor fuzz")
  endif()
  add_test(NAME ${name} COMMAND ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS ${label})
endfunction()

# tsim_script_test(NAME LABEL SCRIPT ARGS...): tests/SCRIPT run by sh; the script must exist.
function(tsim_script_test name label script)
  if(NOT EXISTS ${TSIM_SH}/${script})
    message(FATAL_ERROR "test ${name}: tests/${script} not found")
  endif()
  tsim_test(${name} ${label} sh ${TSIM_SH}/${script} ${ARGN})
endfunction()

# tsim_unit_test(EXE NAME LABEL [POSIX] ARGS...): builds tests/EXE.c (add_executable fails the
# configure when it is missing) and runs it with ARGS. POSIX: the test uses POSIX functions
# (mkstemp, popen, getline, strdup: through tests/exact.h and tests/refcheck.h too).
function(tsim_unit_test exe name label)
  cmake_parse_arguments(U "POSIX" "" "" ${ARGN})
  add_executable(${exe} tests/${exe}.c)
  target_compile_options(${exe} PRIVATE ${TSIM_WARNINGS})
  if(U_POSIX)
    target_compile_definitions(${exe} PRIVATE _POSIX_C_SOURCE=200809L)
  endif()
  target_link_libraries(${exe} PRIVATE tsim)
  tsim_test(${name} ${label} ${exe} ${U_UNPARSED_ARGUMENTS})
endfunction()

# tsim_r_test(NAME TEST_EXE [SET...]): the reference values recomputed with R
# (tests/r/check_stattest.sh); skipped when Rscript is not installed. The tables embedded in
# each test are checked by the plain test without R.
function(tsim_r_test name exe)
  tsim_script_test(${name} slow r/check_stattest.sh $<TARGET_FILE:${exe}> ${TSIM_SRC} ${ARGN})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()

# A small tool for the command-level tests: compares two JSON files ignoring top-level keys.
add_executable(json_equal tests/json_equal.c)
target_link_libraries(json_equal PRIVATE PkgConfig::CJSON)

tsim_unit_test(test_rng rng_should_match_reference_outputs_and_streams fast POSIX)
# Site monitoring that stops enrolment: a stop changes no patient randomised before it.
tsim_unit_test(test_stop_enrolling stopping_a_site_should_keep_every_patient_before_the_stop fast POSIX)
# ... and a site a run stops is flagged in that trial's tally, boundaries computed or not.
tsim_unit_test(test_monitor_stops a_stopped_site_should_be_flagged_in_the_tally_of_its_trial fast POSIX)
tsim_unit_test(test_fastexp fastexp_should_match_libm_exp_within_4_ulp fast)
tsim_unit_test(test_numfmt numbers_should_be_written_as_the_shortest_text_that_reads_back fast)
tsim_unit_test(test_json json_should_hold_the_doubles_cjson_print_writes_in_shortest_text fast
               ${TSIM_SCN}/lupil2.json ${TSIM_SCN}/lupil2_planning.json)
# SHA-256 (the scenario file's digest in report.html) against FIPS 180 and sha256sum.
tsim_unit_test(test_sha256 sha256_should_match_fips_180_vectors_and_sha256sum fast POSIX
               ${TSIM_SCENARIOS})
tsim_unit_test(test_stattest stattest_should_match_r_reference_values fast POSIX)
# Non-inferiority tests (stats/nitest.h): the published worked examples, the R reference of the
# published formulas (tests/r/ni_reference.csv, required), margin 0 as
# today's one-sided superiority test, the MN interval as the MN test inverted, edges.
tsim_unit_test(test_nitest ni_tests_should_match_published_examples_and_reduce_to_superiority_at_margin_0
               fast POSIX ${TSIM_SH}/nitest_examples.csv ${TSIM_SH}/r/ni_reference.csv)
# The stratified (site-stratified) MN test and interval (stats/nitest.h tsim_ni_strat_*): the R
# reference of the published formulas (tests/r/ni_strat_reference.csv, required), one stratum as
# the unstratified MN, the CMH statistic at no difference, the interval as the test inverted.
tsim_unit_test(test_ni_strat ni_strat_should_match_r_and_reduce_to_mn_and_cmh fast POSIX
               ${TSIM_SH}/r/ni_strat_reference.csv)
tsim_unit_test(test_exact engine_should_match_exact_enumeration fast POSIX)
tsim_unit_test(test_barnard barnard_should_match_scipy_and_its_cached_decisions slow POSIX)
find_program(TSIM_PYTHON3 NAMES python3)
# Re-runs tests/py/barnard_reference.py and compares with the rows test_barnard.c embeds, with
# the first python3 that can import SciPy (tests/py/with_scipy.sh tries CMake's, then every
# python3 on PATH and /usr/bin/python3); SKIPPED (exit 77) when none can.
tsim_script_test(barnard_reference_should_still_match_scipy slow py/with_scipy.sh "${TSIM_PYTHON3}"
                 ${TSIM_SH}/py/barnard_reference.py --check ${TSIM_SH}/test_barnard.c)
set_tests_properties(barnard_reference_should_still_match_scipy PROPERTIES SKIP_RETURN_CODE 77)
tsim_unit_test(test_runner runner_should_give_the_whole_tally_from_pieces_merged_as_words fast POSIX
               ${TSIM_SCN}/teaching_small.json
               ${TSIM_SRC}/tests/analysis/every_binary_test.json
               ${TSIM_SCN}/lupil2.json)
tsim_unit_test(test_cohort cohort_should_show_the_patients_the_run_analysed fast POSIX
               $<TARGET_FILE:trialsim> ${TSIM_SCN}/lupil2.json)
tsim_test(cohort_should_show_the_patients_the_run_analysed_in_cell_mode fast
          test_cohort $<TARGET_FILE:trialsim> ${TSIM_SRC}/tests/bench/lupil2_primary.json)
tsim_test(cohort_should_show_the_patients_the_run_analysed_on_continuous_end_points fast
          test_cohort $<TARGET_FILE:trialsim> ${TSIM_SCN}/pss2022.json)
tsim_test(cohort_should_show_the_patients_the_run_analysed_at_visits_and_in_subgroups fast
          test_cohort $<TARGET_FILE:trialsim> ${TSIM_SCN}/he2019_sle.json)
tsim_test(cohort_should_show_the_patients_the_run_analysed_in_a_single_arm fast
          test_cohort $<TARGET_FILE:trialsim> ${TSIM_SCN}/nct02084238_single_arm.json)
tsim_test(cohort_should_show_the_patients_the_run_analysed_under_every_population_rule fast
          test_cohort $<TARGET_FILE:trialsim> --rules)
tsim_test(cohort_should_show_the_patients_the_run_analysed_under_every_rule_in_a_single_arm fast
          test_cohort $<TARGET_FILE:trialsim> --rules-single-arm)
# Site monitoring: every rule's flags recomputed from the rows, flagged sites removed from the
# analyses, summary.json "monitoring" and the sites stopped, against the trials without stops.
tsim_test(cohort_should_show_the_patients_and_flags_of_lupil2_monitoring fast
          test_cohort $<TARGET_FILE:trialsim> ${TSIM_SCN}/lupil2_monitoring.json)
tsim_test(cohort_should_show_the_patients_and_flags_under_every_monitoring_rule fast
          test_cohort $<TARGET_FILE:trialsim> --monitoring)
tsim_test(cohort_should_show_the_patients_and_flags_of_checks_at_interim_looks fast
          test_cohort $<TARGET_FILE:trialsim> --monitoring-at-looks)

tsim_script_test(run_should_not_depend_on_thread_count fast determinism.sh
                 $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal> ${TSIM_SCN}/lupil2.json)
# ... nor in calendar time: interim looks at months, boundaries computed per trial and cached per
# thread (tests/timed/months.json).
tsim_script_test(timed_run_should_not_depend_on_thread_count fast determinism.sh
                 $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal> ${TSIM_SH}/timed/months.json 411)

# Runs split across processes equal one process: registered whenever trialsim_mpi is built
# (skipped when mpiexec was not found), and as a skipped test when MPI was not found at all, so
# that its absence shows in every run of the suite.
if(TARGET trialsim_mpi)
  if(MPIEXEC_EXECUTABLE)
    set(TSIM_MPIEXEC ${MPIEXEC_EXECUTABLE})
  else()
    set(TSIM_MPIEXEC mpiexec-not-found)
  endif()
  tsim_script_test(run_across_processes_should_equal_one_process slow mpi.sh ${TSIM_MPIEXEC}
                   $<TARGET_FILE:trialsim> $<TARGET_FILE:trialsim_mpi> $<TARGET_FILE:json_equal>
                   ${TSIM_SRC}/tests/bad/allocation_negative.json
                   ${TSIM_SRC}/tests/bench/lupil2_primary.json
                   ${TSIM_SCN}/lupil2.json
                   ${TSIM_SRC}/tests/analysis/every_binary_test.json)
  # Processes waiting for one another would hang the suite: fail instead.
  set_tests_properties(run_across_processes_should_equal_one_process PROPERTIES TIMEOUT 900)
else()
  tsim_test(run_across_processes_should_equal_one_process slow
            sh -c "echo 'SKIPPED: MPI was not found at configure time, trialsim_mpi is not built (Debian: libopenmpi-dev openmpi-bin)' && exit 77")
endif()
set_tests_properties(run_across_processes_should_equal_one_process PROPERTIES SKIP_RETURN_CODE 77)

# Skipped (77) when the processor lacks one of the vector instruction sets it forces.
tsim_script_test(run_should_not_depend_on_vector_instructions_or_internal_paths slow vector.sh
                 $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal>
                 ${TSIM_SRC}/tests/bench/lupil2_primary.json
                 ${TSIM_SRC}/tests/analysis/every_binary_test.json
                 ${TSIM_SRC}/tests/analysis/large_sites.json
                 ${TSIM_SRC}/tests/vector/many_sites.json
                 ${TSIM_SRC}/tests/vector/few_sites.json
                 ${TSIM_SRC}/tests/analysis/block_chisq.json
                 ${TSIM_SCN}/pss2022.json)
set_tests_properties(run_should_not_depend_on_vector_instructions_or_internal_paths
                     PROPERTIES SKIP_RETURN_CODE 77)
tsim_script_test(bad_input_should_exit_2_with_path_and_write_nothing fast bad_input.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SH}/bad)
tsim_script_test(shipped_scenarios_should_validate_and_run fast scenarios.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN})

# `cmake --install` into a temporary prefix; the installed trialsim finds its scenarios.
if(TARGET trialsim_mpi)
  set(TSIM_INSTALLS_MPI trialsim_mpi)
endif()
tsim_script_test(install_should_give_a_trialsim_that_finds_its_scenarios fast install.sh
                 ${CMAKE_COMMAND} ${CMAKE_BINARY_DIR} $<TARGET_FILE:trialsim> ${TSIM_INSTALLS_MPI})

# Sweeps: every grid point equals `run --set` of that variant (common random numbers).
tsim_script_test(sweep_should_equal_run_at_every_grid_point fast sweep.sh
                 $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal> ${TSIM_SCN}/lupil2.json)
tsim_unit_test(test_size size_should_agree_with_exact_power_at_n_and_n_minus_step fast POSIX
               ${TSIM_SRC}/tests/analysis/block_three.json)
tsim_unit_test(test_decide decide_should_equal_the_p_value_rule_on_every_small_table fast)
tsim_unit_test(test_cellmode cell_sampling_should_match_patient_sampling_in_distribution slow POSIX)
tsim_unit_test(test_scenario scenario_should_round_allocation_shares_as_decimals fast POSIX)
tsim_script_test(results_should_be_written_all_or_nothing fast output.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN}/teaching_small.json)
# Result sets under faults (tests/atomic_*.sh): two writers of one folder never mix their sets;
# temporaries are created exclusively, removed on SIGINT/SIGTERM and, after SIGKILL, by the next
# run; every failed write (stdout on /dev/full, a full disk: a small tmpfs when run as root)
# exits 1. The shim, for tests only, slows one rename() of a process (LD_PRELOAD).
add_library(tsim_rename_slow MODULE tests/shim/rename_slow.c)
target_link_libraries(tsim_rename_slow PRIVATE ${CMAKE_DL_LIBS})
tsim_script_test(writers_of_one_folder_should_never_mix_their_result_sets fast atomic_writers.sh
                 $<TARGET_FILE:trialsim> $<TARGET_FILE:tsim_rename_slow> ${TSIM_SCN}/teaching_small.json)
tsim_script_test(temporaries_should_be_exclusive_and_never_left_behind fast atomic_temporaries.sh
                 $<TARGET_FILE:trialsim> $<TARGET_FILE:tsim_rename_slow> ${TSIM_SCN}/teaching_small.json)
set_tests_properties(writers_of_one_folder_should_never_mix_their_result_sets
                     temporaries_should_be_exclusive_and_never_left_behind PROPERTIES SKIP_RETURN_CODE 77)
tsim_script_test(every_failed_write_should_exit_1 fast atomic_fullout.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN}/teaching_small.json ${TSIM_SCN}/published/lupil2.json)
tsim_script_test(results_should_be_utf8_whatever_the_input_path fast utf8_paths.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN}/teaching_small.json)
set_tests_properties(results_should_be_utf8_whatever_the_input_path PROPERTIES SKIP_RETURN_CODE 77)
tsim_unit_test(test_analyze analyze_should_reproduce_the_published_p_values_a_simple_test_gives
               fast POSIX $<TARGET_FILE:trialsim> ${TSIM_SCN}/published)
tsim_unit_test(test_contest contest_should_match_r_t_test fast POSIX)
# t-tests against a margin (difference, ratio of means with Fieller's interval, ANCOVA shifted):
# tests/r/contest_margin_reference.csv (R's t.test, the ratio test's formulas, lm), a published
# t.test.ratio output, identities, scale and edges.
tsim_unit_test(test_contest_margin contest_margin_should_match_r_t_test_ratio_test_and_lm fast POSIX
               ${TSIM_SH}/r/contest_margin_reference.csv)
# GSL's default error handler (abort) left on: the statistics must never reach it.
tsim_unit_test(test_gsl_handler stats_should_never_reach_the_gsl_error_handler fast)
tsim_unit_test(test_multiplicity multiplicity_should_satisfy_its_exact_identities fast POSIX)

# Wilcoxon rank-sum, ANCOVA and stratified logistic regression (sim/stats/) against R, from the
# tables embedded in each test and, when R is installed, from the references recomputed by the
# scripts in tests/r/.
tsim_unit_test(test_ranktest ranktest_should_match_r_wilcox_test fast POSIX)
tsim_unit_test(test_ancova ancova_should_match_r_lm fast POSIX)
# The closed-form ANCOVA from each arm's sums (the simulation's) against the QR on the values.
tsim_unit_test(test_ancova_sums ancova_from_sums_should_match_the_qr_fit fast)
tsim_unit_test(test_logistic logistic_should_match_r_glm fast POSIX)
# The MMRM (stats/mmrm.h) against nlme::gls on the data sets of tests/mmrm/ (references in
# tests/r/mmrm_reference.csv), against the t test and ANCOVA, on degenerate input, and its
# coverage under MAR dropout in 2000 simulated trials (about 2 s).
tsim_unit_test(test_mmrm mmrm_should_match_nlme_closed_forms_and_its_coverage fast POSIX)
target_compile_definitions(test_mmrm PRIVATE TSIM_MMRM_DATA="${TSIM_SRC}/tests/mmrm")
tsim_r_test(stattest_should_match_r_when_regenerated test_stattest)
tsim_r_test(contest_should_match_r_when_regenerated test_contest contest)
tsim_r_test(contest_margin_should_match_r_when_regenerated test_contest_margin contest_margin)
foreach(tsim_ref ranktest ancova logistic)
  tsim_r_test(${tsim_ref}_should_match_r_when_regenerated test_${tsim_ref} ${tsim_ref})
endforeach()
# tests/r/mmrm_reference.R fits every case with nlme again (about 15 s) and test_mmrm checks
# the library against that output; skipped (77) without Rscript or without R's nlme.
tsim_script_test(mmrm_should_match_r_when_regenerated slow r/check_mmrm.sh $<TARGET_FILE:test_mmrm>
                 ${TSIM_SRC})
set_tests_properties(mmrm_should_match_r_when_regenerated PROPERTIES SKIP_RETURN_CODE 77)
# The reference for the non-inferiority tests of binary end points (issue #21),
# tests/r/ni_reference.csv: regenerated by tests/r/ni_reference.R (which checks itself against
# published intervals, and rpact when installed) and compared with the committed file (77 without
# Rscript). About 25 s of one core.
tsim_script_test(ni_reference_should_match_r_when_regenerated slow r/check_ni.sh ${TSIM_SRC})
set_tests_properties(ni_reference_should_match_r_when_regenerated PROPERTIES SKIP_RETURN_CODE 77)
# tests/r/ni_strat_reference.csv: regenerated by tests/r/ni_strat_reference.R (which checks itself
# against published stratified intervals and R's mantelhaen.test) and compared with the committed
# file (77 without Rscript). About 4 s of one core.
tsim_script_test(ni_strat_reference_should_match_r_when_regenerated slow r/check_ni_strat.sh
                 ${TSIM_SRC})
set_tests_properties(ni_strat_reference_should_match_r_when_regenerated PROPERTIES
                     SKIP_RETURN_CODE 77)

# Multiple imputation and Rubin's rules (sim/stats/impute.c) against mice (tests/r/mi_pool_reference.R,
# mi_norm_reference.R) and Carpenter-Roger-Kenward's formulas (mi_rb_reference.R) on the data
# sets in tests/impute; the committed CSVs regenerated with R and mice when they are installed.
tsim_unit_test(test_impute impute_should_match_mice_and_the_reference_based_formulas fast POSIX
               ${TSIM_SH}/r/mi_pool_reference.csv ${TSIM_SH}/r/mi_norm_reference.csv
               ${TSIM_SH}/r/mi_rb_reference.csv ${TSIM_SH}/impute)
# In distribution (tests/test_impute_stats.c): MI + Rubin's rules unbiased with 95% coverage
# under MAR dropout, J2R / CIR / CR unbiased for the treatment-policy effect their data were
# made with, the posterior draw the inverse Wishart; fixed seeds, 4 SE.
tsim_unit_test(test_impute_stats impute_should_be_unbiased_with_nominal_coverage_in_simulation fast POSIX)
tsim_script_test(impute_should_match_mice_when_regenerated slow r/check_impute.sh
                 $<TARGET_FILE:test_impute> ${TSIM_SRC})
set_tests_properties(impute_should_match_mice_when_regenerated PROPERTIES SKIP_RETURN_CODE 77)

# Group-sequential boundaries (sim/stats/gsbound.c) against rpact's getDesignGroupSequential
# and getPowerAndAverageSampleNumber: from the committed tests/r/gsbound_reference.csv, and
# regenerated with R when Rscript and rpact are installed (skipped, 77, otherwise).
tsim_unit_test(test_gsbound gsbound_should_match_rpact_boundaries_and_exit_probabilities fast
               ${TSIM_SRC}/tests/r/gsbound_reference.csv)
tsim_script_test(gsbound_should_match_rpact_when_regenerated slow r/check_gsbound.sh
                 $<TARGET_FILE:test_gsbound> ${TSIM_SRC})
set_tests_properties(gsbound_should_match_rpact_when_regenerated PROPERTIES SKIP_RETURN_CODE 77)

# The patient-level latent model (sim/model/latent.c) against its stated distribution: the
# scenario files it samples are in tests/latent/.
tsim_unit_test(test_latent latent_model_should_generate_its_stated_distribution fast)
target_compile_definitions(test_latent PRIVATE TSIM_LATENT_DIR="${TSIM_SRC}/tests/latent")
# Its sampler, drawing in passes, against the plain patient-by-patient reference: bit for bit.
tsim_unit_test(test_latent_ref latent_sampler_should_give_the_reference_numbers_bit_for_bit fast)
target_compile_definitions(test_latent_ref PRIVATE TSIM_SRC_DIR="${TSIM_SRC}")

# `trialsim analyze` on bad patient-level data: the cases of tests/bad/analyze with a .expected.
tsim_test(analyze_should_reject_bad_patient_level_data_with_path_and_write_nothing fast
          test_analyze $<TARGET_FILE:trialsim> --bad ${TSIM_SRC}/tests/bad/analyze)

# Analyses of the cell table: evaluated from site sums (the fast path) and per site (the general
# path), outcome by outcome the same, and so through the trial loop's block path, slot by slot
# and in a run's whole tally; the site rule's integer thresholds against the rule.
tsim_unit_test(test_analysis analysis_should_give_the_same_outcomes_from_site_sums_and_per_site
               fast POSIX
               ${TSIM_SRC}/tests/bench/lupil2_primary.json
               ${TSIM_SRC}/tests/analysis/every_binary_test.json
               ${TSIM_SRC}/tests/analysis/large_sites.json
               ${TSIM_SRC}/tests/analysis/block_chisq.json
               ${TSIM_SRC}/tests/analysis/block_three.json)

# The latent model's analyses from cell statistics (one pass over a trial's patients) against
# the same analyses read patient by patient: binary outcomes identical, continuous ones within
# rounding.
tsim_unit_test(test_ptanalysis ptanalysis_should_give_from_cells_what_the_patients_give fast
               ${TSIM_SCN}/lupil2.json ${TSIM_SCN}/pss2022.json ${TSIM_SCN}/he2019_sle.json
               ${TSIM_SCN}/nct02084238_single_arm.json
               ${TSIM_SRC}/tests/ptanalysis/rules.json ${TSIM_SRC}/tests/ptanalysis/rules_single_arm.json
               ${TSIM_SRC}/tests/ptanalysis/tight.json ${TSIM_SRC}/tests/ptanalysis/groups.json
               ${TSIM_SRC}/tests/ptanalysis/t_lanes.json ${TSIM_SRC}/tests/ptanalysis/cells_baseline.json
               ${TSIM_SRC}/tests/latent/continuous.json ${TSIM_SRC}/tests/latent/binary.json
               ${TSIM_SRC}/tests/latent/hetero.json ${TSIM_SCN}/lupil2_estimands.json
               ${TSIM_SCN}/pss2022_estimands.json ${TSIM_SRC}/tests/estimands/coverage.json)

# The layers of sim/ run one way and no files form a circle (tests/layers.sh reads the includes
# from the sources and the calls from the built object files).
tsim_script_test(layers_should_run_one_way_without_circles fast layers.sh
                 ${TSIM_SRC} ${CMAKE_BINARY_DIR})

# size --analysis in a design of more than two arms: the comparisons an analysis id could mean.
tsim_script_test(size_should_name_the_comparisons_of_an_analysis_of_several_arms fast size_cli.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SH}/analysis/every_binary_test.json)

# An --out that cannot be written: exit 2 before anything is simulated, nothing left behind.
tsim_script_test(numbers_should_be_refused_with_spaces_or_signs fast numbers_cli.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN}/teaching_small.json)
tsim_script_test(commands_should_refuse_an_unwritable_out_before_simulating fast outdir_cli.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN}/lupil2.json ${TSIM_SCN}/published/lupil2.json)
# A --set variant: its own default folder below the plain run's, its values in the first printed
# line and in summary.json's (size.json's) run.set; python3 reads the JSON (skipped without).
tsim_script_test(set_variants_should_be_recorded_and_kept_apart fast set_record.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN}/lupil2.json ${TSIM_SCN}/lupil2_planning.json)
set_tests_properties(set_variants_should_be_recorded_and_kept_apart PROPERTIES SKIP_RETURN_CODE 77)

# size as a user meets it: progress lines off a terminal, default folders per analysis and
# target (and per swept path), two analyses in one search, type I error by direction.
tsim_script_test(size_should_report_progress_folders_joint_answers_and_directions fast size_search_cli.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN}/lupil2_planning.json)

# Searches and runs to a stated precision (tests/precision.sh): size's sequential looks, run
# --mcse and sweep --mcse the same with 1 and 2 threads; sizes stopped early on the stated side
# against runs 8 times longer; run --mcse reaching what it claims; bad values refused.
# With trialsim_mpi, also 2 processes against one (the looks decided on the merged counts).
set(TSIM_PRECISION_MPI)
if(TARGET trialsim_mpi)
  set(TSIM_PRECISION_MPI ${TSIM_MPIEXEC} $<TARGET_FILE:trialsim_mpi>)
endif()
tsim_script_test(precision_should_stop_on_the_stated_side_and_reach_what_it_claims fast precision.sh
                 $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal> ${TSIM_SCN}/lupil2_planning.json
                 ${TSIM_PRECISION_MPI})

# Interim looks (tests/looks.sh): stopping probabilities per look of three group-sequential
# designs (tests/looks/*.json) against rpact's getPowerMeans / getPowerRates (the committed
# tests/r/looks_reference.csv) within 4 SE; one look at information 1 = the fixed design.
tsim_script_test(looks_should_stop_as_rpact_computes_and_one_look_be_the_fixed_design fast looks.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SRC})
# Calendar time (tests/accrual.sh): randomisation times against their exact expectations (one
# rate with a ramp-up; sites opening at different months, and the sites' shares), and accrual
# changing no other number.
tsim_script_test(accrual_should_give_the_exact_expected_durations_and_change_nothing_else fast accrual.sh
                 $<TARGET_FILE:trialsim>)
# Site monitoring (tests/monitoring.sh): the binomial and threshold rules' false alarms and
# detection against exact enumeration (tests/py/monitoring_exact.py, SciPy) within 4 SE; monitoring
# reported only changes no analysis, nor does excluding the flags of a rule that never flags; the
# same numbers for 1 and 2 threads and from shards merged; odd designs write no NaN. Skipped (77)
# when no python3 can import SciPy (the parts that need only python3 still run, a failure fails).
tsim_script_test(monitoring_should_flag_at_the_exact_rates_and_change_no_analysis fast monitoring.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SRC} "${TSIM_PYTHON3}")
set_tests_properties(monitoring_should_flag_at_the_exact_rates_and_change_no_analysis PROPERTIES
                     SKIP_RETURN_CODE 77)
# Non-inferiority and equivalence in runs (tests/margins.sh): margin 0 gives the one-sided
# superiority tests' counts exactly; Student's t against difference, ratio and equivalence
# margins within 4 SE of their closed forms (tests/py/margins_exact.py, SciPy); each analysis
# at its own null (alone = among the others); 1 and 2 threads and shards agree; a sweep over a
# margin; size's start against a margin; on one site the stratified Miettinen-Nurminen test's
# coverage and rejections are the unstratified one's. Skipped (77) without a python3 that imports SciPy, unless
# something failed.
tsim_script_test(margins_should_reduce_to_superiority_at_0_and_match_exact_t_tests fast margins.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SRC} "${TSIM_PYTHON3}")
set_tests_properties(margins_should_reduce_to_superiority_at_0_and_match_exact_t_tests PROPERTIES
                     SKIP_RETURN_CODE 77)
# Non-inferiority (tests/ni_exact.sh): FM and Wald tests of a risk difference at margins -0.10
# and -0.15 and MN at -0.12, ITT with dropouts as non-responders and completers
# (tests/ni_exact/*.json), power and size (and MN's interval coverage) within 4 SE of exact
# enumeration (tests/py/ni_exact.py, SciPy, written from the papers).
# Skipped (77) when no python3 can import SciPy.
tsim_script_test(ni_power_and_size_should_match_exact_enumeration fast ni_exact.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SRC} "${TSIM_PYTHON3}")
set_tests_properties(ni_power_and_size_should_match_exact_enumeration PROPERTIES
                     SKIP_RETURN_CODE 77)
# The same reference regenerated with R and rpact where they are installed (else skipped).
tsim_script_test(looks_reference_should_be_what_rpact_gives_today slow r/check_looks.sh ${TSIM_SRC})
set_tests_properties(looks_reference_should_be_what_rpact_gives_today PROPERTIES SKIP_RETURN_CODE 77)

# Barnard's test in simulation: its type I error at most alpha, and more power than Fisher's, on
# a small design (tests/barnard_design.sh says how, in standard errors).
tsim_script_test(barnard_should_keep_its_level_and_beat_fisher_in_simulation fast barnard_design.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SH}/analysis/barnard.json)

# Every figure the docs quote, with the command that gives it (tests/doc_figures.sh). The figures
# are the ordinary build's; under the sanitizers (TSIM_SANITIZE) the same commands, 5-10 times
# slower, would check memory only, which the other tests do: the test reports Skipped there.
if(TSIM_SANITIZE)
  tsim_test(docs_should_quote_the_numbers_their_commands_give slow
            sh -c "echo 'SKIPPED: the docs figures are checked in the build without sanitizers' && exit 77")
  set_tests_properties(docs_should_quote_the_numbers_their_commands_give PROPERTIES SKIP_RETURN_CODE 77)
else()
  tsim_script_test(docs_should_quote_the_numbers_their_commands_give slow doc_figures.sh
                   $<TARGET_FILE:trialsim> ${TSIM_SRC})
endif()

# report.html (--report): every number on the page is its result set's, the page stands alone
# (no scripts, no outside references, unique ids with several inline SVGs), the scenario's text is
# escaped (tests/report.sh, tests/py/check_report.py); and it renders in a real browser (Chromium
# headless, screenshots checked not blank; skipped, exit 77, without Chromium). Both need python3
# (standard library only): reported as Skipped without it.
if(TSIM_PYTHON3)
  tsim_script_test(report_should_show_exactly_the_numbers_of_its_result_set fast report.sh
                   $<TARGET_FILE:trialsim> ${TSIM_PYTHON3} ${TSIM_SRC})
  tsim_script_test(report_should_render_in_a_browser slow report_browser.sh
                   $<TARGET_FILE:trialsim> ${TSIM_PYTHON3} ${TSIM_SRC})
else()
  foreach(t report_should_show_exactly_the_numbers_of_its_result_set:fast
            report_should_render_in_a_browser:slow)
    string(REPLACE ":" ";" t "${t}")
    list(GET t 0 tname)
    list(GET t 1 tlabel)
    tsim_test(${tname} ${tlabel} sh -c "echo 'SKIPPED: python3 not found at configure time' && exit 77")
  endforeach()
endif()
set_tests_properties(report_should_show_exactly_the_numbers_of_its_result_set
                     report_should_render_in_a_browser PROPERTIES SKIP_RETURN_CODE 77)
# The source revision report.html names (sim/revision.cmake, run at every build): "unknown"
# outside a git checkout, and never stale after an edit or a commit.
tsim_script_test(revision_should_follow_the_source_and_be_unknown_outside_git fast revision.sh
                 ${CMAKE_COMMAND} ${TSIM_SRC})

# Every stage's variants for a target against the reference, bit for bit (skipped, exit 77, where
# the processor or the build lacks the target).
tsim_unit_test(test_kernels kernels_should_match_the_reference_bit_for_bit_avx2 fast avx2)
tsim_test(kernels_should_match_the_reference_bit_for_bit_avx512 fast
          $<TARGET_FILE:test_kernels> avx512)
tsim_test(kernels_should_match_the_reference_bit_for_bit_avx512popcnt fast
          $<TARGET_FILE:test_kernels> avx512popcnt)
set_tests_properties(kernels_should_match_the_reference_bit_for_bit_avx2
  kernels_should_match_the_reference_bit_for_bit_avx512
  kernels_should_match_the_reference_bit_for_bit_avx512popcnt PROPERTIES SKIP_RETURN_CODE 77)

# Tables, CSV files and plots by direction of the rejection, aligned for long ids and paths; the
# run's oc plot; the sweep plots' colours (by analysis, no yellow) and dashes (tests/plots.sh).
tsim_script_test(plots_and_tables_should_show_direction_and_stay_aligned fast plots.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN}/teaching_small.json)

# An anomaly rule turned off; cohort --help against the columns it prints.
tsim_script_test(anomaly_switched_off_should_equal_its_sites_made_ordinary fast anomaly_switch.sh
                 $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal>
                 ${TSIM_SRC}/tests/anomaly/switch.json ${TSIM_SCN}/lupil2.json)
tsim_script_test(cohort_help_should_name_every_column_it_prints fast cohort_text.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN})
tsim_script_test(p_values_csv_should_write_numbers_that_read_back fast p_values_text.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SCN}/teaching_small.json)

# The fuzz dictionary holds every key and enum name the loaders accept (tests/fuzz/make_dict.sh
# rebuilds it from their key lists; a key added to a loader and not to the dictionary fails).
tsim_script_test(fuzz_dictionary_should_hold_every_key_the_loaders_accept fast fuzz/make_dict.sh
                 --check ${TSIM_SRC})

# libFuzzer harnesses (tests/fuzz/), in a build configured with clang and -DTSIM_FUZZ=ON only:
# label `fuzz`, each run for TSIM_FUZZ_SECONDS from the seed corpus (tests/fuzz/smoke.sh), a
# smoke test. Skipped (77) when clang cannot link -fsanitize=fuzzer (libclang-rt-14-dev).
if(TSIM_FUZZ)
  set(TSIM_FUZZ_SECONDS 20 CACHE STRING "Seconds each fuzz harness runs in ctest -L fuzz")
  include(CheckCSourceCompiles)
  set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=fuzzer)
  check_c_source_compiles("#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }"
                          TSIM_HAVE_LIBFUZZER)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  add_library(tsim_fuzz_common STATIC tests/fuzz/fuzz_common.c tests/fuzz/fuzz_common.h)
  target_compile_options(tsim_fuzz_common PRIVATE ${TSIM_WARNINGS})
  target_link_libraries(tsim_fuzz_common PUBLIC tsim)
  foreach(h scenario analyze set)
    if(TSIM_HAVE_LIBFUZZER)
      if(h STREQUAL "analyze")
        add_executable(fuzz_${h} tests/fuzz/fuzz_${h}.c ${TSIM_SRC}/sim/app/analyze.c)
        target_include_directories(fuzz_${h} PRIVATE ${TSIM_SRC}/sim)
      else()
        add_executable(fuzz_${h} tests/fuzz/fuzz_${h}.c)
      endif()
      target_compile_options(fuzz_${h} PRIVATE ${TSIM_WARNINGS})
      target_compile_definitions(fuzz_${h} PRIVATE _POSIX_C_SOURCE=200809L
                                 TSIM_VERSION="${PROJECT_VERSION}" TSIM_FUZZ_SCENARIOS="${TSIM_SCN}")
      target_link_libraries(fuzz_${h} PRIVATE tsim_fuzz_common)
      target_link_options(fuzz_${h} PRIVATE -fsanitize=fuzzer)
      tsim_script_test(fuzz_${h}_should_find_no_crash_in_a_short_run fuzz fuzz/smoke.sh
                       $<TARGET_FILE:fuzz_${h}> ${h} ${TSIM_FUZZ_SECONDS} ${TSIM_SRC}
                       ${CMAKE_BINARY_DIR}/fuzz)
    else()
      tsim_test(fuzz_${h}_should_find_no_crash_in_a_short_run fuzz
                sh -c "echo 'SKIPPED: clang cannot link -fsanitize=fuzzer (Debian: libclang-rt-14-dev)' && exit 77")
    endif()
    set_tests_properties(fuzz_${h}_should_find_no_crash_in_a_short_run PROPERTIES
                         SKIP_RETURN_CODE 77)
  endforeach()
endif()

# Every test has a label (fast, slow or fuzz): one added without tsim_test fails the configure.
get_property(tsim_all_tests DIRECTORY PROPERTY TESTS)
foreach(t IN LISTS tsim_all_tests)
  get_test_property(${t} LABELS tsim_labels)
  if(NOT tsim_labels)
    message(FATAL_ERROR "test ${t} has no label (fast or slow): add it with tsim_test")
  endif()
endforeach()

# Long runs: shards merged and runs killed and resumed from checkpoints equal one run, bit for
# bit; merge refuses shards of other runs, overlaps and gaps (tests/long_runs.sh).
tsim_script_test(shards_and_checkpoints_should_equal_one_run fast long_runs.sh
                 $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal> ${TSIM_SRC})
# The benchmark's peers of scenarios/lupil2.json (tests/bench/np_lupil2.py, r_lupil2.R) simulate
# what trialsim simulates: every power, type I error, hierarchy rate, favouring rate and mean
# difference within 4 combined standard errors at N = 100 and 1,000 (about 15 CPU-seconds).
# Skipped (77) without a python3 that imports numpy and scipy, or without Rscript; not run under
# the sanitizers (a statistical check, slow there).
if(TSIM_PYTHON3 AND NOT TSIM_SANITIZE)
  tsim_test(bench_peers_should_match_trialsim_within_4_se slow ${TSIM_PYTHON3}
            ${TSIM_SRC}/tests/bench/validate_peers.py --build $<TARGET_FILE_DIR:trialsim>)
else()
  tsim_test(bench_peers_should_match_trialsim_within_4_se slow
            sh -c "echo 'SKIPPED: no python3 at configure time, or a sanitizer build' && exit 77")
endif()
set_tests_properties(bench_peers_should_match_trialsim_within_4_se PROPERTIES SKIP_RETURN_CODE 77)

# Intercurrent events and estimands (tests/test_estimand.c): exact true values against a
# simulated population and closed forms; outcome-dependent events at their stated rates.
tsim_unit_test(test_estimand estimands_should_equal_their_simulated_population_and_closed_forms fast)
target_compile_definitions(test_estimand PRIVATE TSIM_ESTIMANDS_DIR="${TSIM_SRC}/tests/estimands")
# Estimands in runs (tests/estimands.sh): valid analyses unbiased with nominal coverage against
# their exact true values, a complete-case hypothetical analysis under outcome-dependent events
# biased, 1 and 2 threads alike, and events of probability 0 changing no number.
tsim_script_test(estimands_should_be_unbiased_and_cover_where_valid_and_change_nothing_when_absent fast estimands.sh
                 $<TARGET_FILE:trialsim> ${TSIM_SRC} "${TSIM_PYTHON3}")
set_tests_properties(estimands_should_be_unbiased_and_cover_where_valid_and_change_nothing_when_absent PROPERTIES
                     SKIP_RETURN_CODE 77)
