# cmake -DAIPROV=path/to/aiprov -DOUT=aiprov-recipe.5 -P steps_man.cmake
# Writes `aiprov steps --man` to OUT, failing the build (and leaving no page) when the command fails.
execute_process(COMMAND ${AIPROV} steps --man OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${AIPROV} steps --man failed (${rc})")
endif()
file(RENAME ${OUT}.tmp ${OUT})
