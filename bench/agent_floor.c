/* The floor of the agent's RSS set by its shared libraries alone (bench/README.md, agent.sh):
 * a program that links what slipway-agent links (civetweb, SQLite, libyaml; with g++, also
 * libstdc++ as slipway-agent does), starts an HTTP listener like the agent's, and sleeps.
 *
 *   cc -O1 bench/agent_floor.c -o /tmp/agent_floor -lcivetweb -lsqlite3 -lyaml        # C only
 *   g++ -x c -O1 bench/agent_floor.c -x none -o /tmp/agent_floor_cxx -lcivetweb -lsqlite3 -lyaml \
 *     -Wl,--no-as-needed -lstdc++                                                      # + libstdc++
 *   /tmp/agent_floor &   # then: grep VmRSS /proc/$!/status
 *
 * (Until slipway-agent existed, the agent ran inside slipway and this program linked libcurl,
 * libmicrohttpd with GnuTLS and libarchive as well: 10.3 MiB before doing anything.)
 */
#include <civetweb.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>
#include <yaml.h>

int main(void) {
  /* Referenced so that the linker keeps every library, as slipway-agent does. */
  void* volatile keep[] = {(void*)sqlite3_open, (void*)yaml_parser_initialize};
  (void)keep;
  const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "4", NULL};
  struct mg_callbacks callbacks = {0};
  mg_init_library(0);
  struct mg_context* ctx = mg_start(&callbacks, NULL, options);
  printf("ready %d %s\n", (int)getpid(), ctx ? "listening" : "not listening");
  fflush(stdout);
  sleep(3600);
  return 0;
}
