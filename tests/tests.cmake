# Test registry, included from the top-level CMakeLists.txt. One small executable per module
# (tests/test_<module>.c), named <unit>_should_<behaviour> in ctest, plus command-level tests
# driven by shell scripts. Run with: ctest --test-dir build --output-on-failure

function(tsim_unit_test exe name)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/${exe}.c)
    add_executable(${exe} tests/${exe}.c)
    target_compile_options(${exe} PRIVATE ${TSIM_WARNINGS})
    target_link_libraries(${exe} PRIVATE tsim)
    add_test(NAME ${name} COMMAND ${exe} ${ARGN})
  endif()
endfunction()

tsim_unit_test(test_rng rng_should_match_reference_outputs_and_streams)
tsim_unit_test(test_fastexp fastexp_should_match_libm_exp_within_4_ulp)
tsim_unit_test(test_stattest stattest_should_match_r_reference_values)
tsim_unit_test(test_exact engine_should_match_exact_enumeration)
tsim_unit_test(test_barnard barnard_should_match_scipy_and_its_cached_decisions)
find_program(TSIM_PYTHON3 NAMES python3)
# Re-runs tests/py/barnard_reference.py and compares with the rows test_barnard.c embeds, with
# the first python3 that can import SciPy (tests/py/with_scipy.sh tries CMake's, then every
# python3 on PATH and /usr/bin/python3); SKIPPED (exit 77) when none can.
add_test(NAME barnard_reference_should_still_match_scipy
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tests/py/with_scipy.sh ${TSIM_PYTHON3}
                 ${CMAKE_CURRENT_SOURCE_DIR}/tests/py/barnard_reference.py
                 --check ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_barnard.c)
set_tests_properties(barnard_reference_should_still_match_scipy PROPERTIES SKIP_RETURN_CODE 77)
tsim_unit_test(test_runner runner_should_give_the_whole_tally_from_pieces_merged_as_words
               ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/teaching_small.json
               ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/every_binary_test.json
               ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/lupil2.json)
tsim_unit_test(test_cohort cohort_should_show_the_patients_the_run_analysed
               $<TARGET_FILE:trialsim> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/lupil2.json)
if(TARGET test_cohort)
  add_test(NAME cohort_should_show_the_patients_the_run_analysed_in_cell_mode
           COMMAND test_cohort $<TARGET_FILE:trialsim> ${CMAKE_CURRENT_SOURCE_DIR}/tests/bench/lupil2_primary.json)
  add_test(NAME cohort_should_show_the_patients_the_run_analysed_on_continuous_end_points
           COMMAND test_cohort $<TARGET_FILE:trialsim> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/pss2022.json)
  add_test(NAME cohort_should_show_the_patients_the_run_analysed_at_visits_and_in_subgroups
           COMMAND test_cohort $<TARGET_FILE:trialsim> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/he2019_sle.json)
  add_test(NAME cohort_should_show_the_patients_the_run_analysed_in_a_single_arm
           COMMAND test_cohort $<TARGET_FILE:trialsim> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/nct02084238_single_arm.json)
  add_test(NAME cohort_should_show_the_patients_the_run_analysed_under_every_population_rule
           COMMAND test_cohort $<TARGET_FILE:trialsim> --rules)
  add_test(NAME cohort_should_show_the_patients_the_run_analysed_under_every_rule_in_a_single_arm
           COMMAND test_cohort $<TARGET_FILE:trialsim> --rules-single-arm)
endif()

set(TSIM_SH ${CMAKE_CURRENT_SOURCE_DIR}/tests)
if(EXISTS ${TSIM_SH}/determinism.sh)
  add_test(NAME run_should_not_depend_on_thread_count
           COMMAND sh ${TSIM_SH}/determinism.sh $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal>
                   ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/lupil2.json)
endif()
if(TARGET trialsim_mpi AND MPIEXEC_EXECUTABLE AND EXISTS ${TSIM_SH}/mpi.sh)
  add_test(NAME run_across_processes_should_equal_one_process
           COMMAND sh ${TSIM_SH}/mpi.sh ${MPIEXEC_EXECUTABLE} $<TARGET_FILE:trialsim>
                   $<TARGET_FILE:trialsim_mpi> $<TARGET_FILE:json_equal>
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/bad/allocation_negative.json
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/bench/lupil2_primary.json
                   ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/lupil2.json
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/every_binary_test.json)
  # Processes waiting for one another would hang the suite: fail instead.
  set_tests_properties(run_across_processes_should_equal_one_process PROPERTIES TIMEOUT 900)
endif()
if(EXISTS ${TSIM_SH}/vector.sh)
  add_test(NAME run_should_not_depend_on_vector_instructions_or_internal_paths
           COMMAND sh ${TSIM_SH}/vector.sh $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal>
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/bench/lupil2_primary.json
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/every_binary_test.json
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/large_sites.json
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/vector/many_sites.json
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/vector/few_sites.json
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/block_chisq.json
                   ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/pss2022.json)
endif()
if(EXISTS ${TSIM_SH}/bad_input.sh)
  add_test(NAME bad_input_should_exit_2_with_path_and_write_nothing
           COMMAND sh ${TSIM_SH}/bad_input.sh $<TARGET_FILE:trialsim> ${TSIM_SH}/bad)
endif()
if(EXISTS ${TSIM_SH}/scenarios.sh)
  add_test(NAME shipped_scenarios_should_validate_and_run
           COMMAND sh ${TSIM_SH}/scenarios.sh $<TARGET_FILE:trialsim>
                   ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
endif()

# A small tool for the determinism test: compares two JSON files ignoring top-level keys.
add_executable(json_equal tests/json_equal.c)
target_link_libraries(json_equal PRIVATE PkgConfig::CJSON)

# The reference p-values recomputed with R (skipped with a notice where R is not installed).
if(TARGET test_stattest)
  add_test(NAME stattest_should_match_r_when_regenerated
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tests/r/check_stattest.sh
                   $<TARGET_FILE:test_stattest> ${CMAKE_CURRENT_SOURCE_DIR})
endif()

# Sweeps: every grid point equals `run --set` of that variant (common random numbers).
add_test(NAME sweep_should_equal_run_at_every_grid_point
         COMMAND sh ${TSIM_SH}/sweep.sh $<TARGET_FILE:trialsim> $<TARGET_FILE:json_equal>
                 ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/lupil2.json)
tsim_unit_test(test_size size_should_agree_with_exact_power_at_n_and_n_minus_step)
tsim_unit_test(test_decide decide_should_equal_the_p_value_rule_on_every_small_table)
tsim_unit_test(test_cellmode cell_sampling_should_match_patient_sampling_in_distribution)
tsim_unit_test(test_scenario scenario_should_round_allocation_shares_as_decimals)
add_test(NAME results_should_be_written_all_or_nothing
         COMMAND sh ${TSIM_SH}/output.sh $<TARGET_FILE:trialsim>
                 ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/teaching_small.json)
tsim_unit_test(test_analyze analyze_should_reproduce_the_published_p_values_a_simple_test_gives
               $<TARGET_FILE:trialsim> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/published)
tsim_unit_test(test_contest contest_should_match_r_t_test)
if(TARGET test_contest)
  add_test(NAME contest_should_match_r_when_regenerated
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tests/r/check_stattest.sh
                   $<TARGET_FILE:test_contest> ${CMAKE_CURRENT_SOURCE_DIR} contest)
endif()
tsim_unit_test(test_multiplicity multiplicity_should_satisfy_its_exact_identities)

# Wilcoxon rank-sum, ANCOVA and stratified logistic regression (sim/ranktest.c, sim/ancova.c,
# sim/logistic.c) against R, from the tables embedded in each test and, when R is installed,
# from the references recomputed by the scripts in tests/r/.
tsim_unit_test(test_ranktest ranktest_should_match_r_wilcox_test)
tsim_unit_test(test_ancova ancova_should_match_r_lm)
tsim_unit_test(test_logistic logistic_should_match_r_glm)
foreach(tsim_ref ranktest ancova logistic)
  if(TARGET test_${tsim_ref})
    add_test(NAME ${tsim_ref}_should_match_r_when_regenerated
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tests/r/check_stattest.sh
                     $<TARGET_FILE:test_${tsim_ref}> ${CMAKE_CURRENT_SOURCE_DIR} ${tsim_ref})
  endif()
endforeach()

# The patient-level latent model (sim/latent.c) against its stated distribution: the scenario
# files it samples are in tests/latent/.
tsim_unit_test(test_latent latent_model_should_generate_its_stated_distribution)
if(TARGET test_latent)
  target_compile_definitions(test_latent PRIVATE
                             TSIM_LATENT_DIR="${CMAKE_CURRENT_SOURCE_DIR}/tests/latent")
endif()

# `trialsim analyze` on bad patient-level data: the cases of tests/bad/analyze with a .expected.
if(TARGET test_analyze)
  add_test(NAME analyze_should_reject_bad_patient_level_data_with_path_and_write_nothing
           COMMAND test_analyze $<TARGET_FILE:trialsim> --bad ${CMAKE_CURRENT_SOURCE_DIR}/tests/bad/analyze)
endif()

# Analyses of the cell table: evaluated from site sums (the fast path) and per site (the general
# path), outcome by outcome the same, and so through the trial loop's block path, slot by slot
# and in a run's whole tally; the site rule's integer thresholds against the rule.
tsim_unit_test(test_analysis analysis_should_give_the_same_outcomes_from_site_sums_and_per_site
               ${CMAKE_CURRENT_SOURCE_DIR}/tests/bench/lupil2_primary.json
               ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/every_binary_test.json
               ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/large_sites.json
               ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/block_chisq.json
               ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/block_three.json)

# The layers of sim/ run one way and no files form a circle (tests/layers.sh reads the includes
# from the sources and the calls from the built object files).
add_test(NAME layers_should_run_one_way_without_circles
         COMMAND sh ${TSIM_SH}/layers.sh ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_BINARY_DIR})
add_test(NAME docs_should_quote_the_numbers_their_commands_give COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tests/doc_figures.sh $<TARGET_FILE:trialsim> ${CMAKE_CURRENT_SOURCE_DIR})
if(EXISTS ${TSIM_SH}/barnard_design.sh)
  add_test(NAME barnard_should_keep_its_level_and_beat_fisher_in_simulation
           COMMAND sh ${TSIM_SH}/barnard_design.sh $<TARGET_FILE:trialsim>
                   ${CMAKE_CURRENT_SOURCE_DIR}/tests/analysis/barnard.json)
endif()
