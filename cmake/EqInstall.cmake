# `cmake --install` gives headers, the libraries and a CMake package so that a
# program can `find_package(eq)` and link `eq::eq`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(EQ_INSTALL_INCLUDE ${CMAKE_INSTALL_INCLUDEDIR}/eq)  # the headers; the include path is its parent
foreach(dir runtime grammar compiler train report)
  install(DIRECTORY ${EQ_ROOT}/${dir}/ DESTINATION ${EQ_INSTALL_INCLUDE}/${dir}
          FILES_MATCHING PATTERN "*.hpp" PATTERN "*.def")
endforeach()
install(FILES ${EQ_ROOT}/include/eq/eq.hpp DESTINATION ${EQ_INSTALL_INCLUDE})

install(TARGETS eq eq_runtime eq_grammar eq_compiler eq_train eq_report eq_warnings
        EXPORT eqTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS eqc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT eqTargets NAMESPACE eq:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/eq)

configure_package_config_file(${EQ_ROOT}/cmake/eqConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/eqConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/eq)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/eqConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/eqConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/eqConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/eq)
