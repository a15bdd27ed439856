# Runs eqc with ARGS (space-separated) in WORKDIR, optionally feeding STDIN_FILE,
# and checks the exit code (EXPECT_RC) and, when given, that standard error
# equals the file EXPECT_ERR byte for byte or contains EXPECT_ERR_MATCH, and
# that standard output matches EXPECT_OUT_MATCH.
separate_arguments(ARGS)
if(DEFINED STDIN_FILE)
  execute_process(COMMAND ${EQC} ${ARGS} WORKING_DIRECTORY ${WORKDIR}
                  INPUT_FILE ${STDIN_FILE} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
else()
  execute_process(COMMAND ${EQC} ${ARGS} WORKING_DIRECTORY ${WORKDIR}
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
endif()
if(NOT rc EQUAL EXPECT_RC)
  message(FATAL_ERROR "eqc ${ARGS}: exit code ${rc}, expected ${EXPECT_RC}\nstderr:\n${err}")
endif()
if(DEFINED EXPECT_ERR)
  file(READ ${EXPECT_ERR} want)
  if(NOT err STREQUAL want)
    message(FATAL_ERROR "eqc ${ARGS}: stderr differs\n--- got\n${err}--- want\n${want}")
  endif()
endif()
if(DEFINED EXPECT_ERR_MATCH AND NOT err MATCHES "${EXPECT_ERR_MATCH}")
  message(FATAL_ERROR "eqc ${ARGS}: stderr does not match '${EXPECT_ERR_MATCH}':\n${err}")
endif()
if(DEFINED EXPECT_OUT_MATCH AND NOT out MATCHES "${EXPECT_OUT_MATCH}")
  message(FATAL_ERROR "eqc ${ARGS}: stdout does not match '${EXPECT_OUT_MATCH}':\n${out}")
endif()
