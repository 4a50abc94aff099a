/* The floor of the agent's RSS set by its shared libraries alone (bench/README.md, agent.sh):
 * a program that links what slipway links for the agent (libcurl with OpenSSL, libmicrohttpd
 * with GnuTLS, SQLite, libarchive, libyaml), does nothing, and sleeps.
 *
 *   cc -O1 bench/agent_floor.c -o /tmp/agent_floor -lcurl -lmicrohttpd -lsqlite3 -larchive -lyaml
 *   /tmp/agent_floor 0 &   # libraries loaded only
 *   /tmp/agent_floor 1 &   # and curl_global_init (what the engine client does first)
 *   grep VmRSS /proc/$!/status
 */
#include <archive.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <yaml.h>

int main(int argc, char** argv) {
  int mode = argc > 1 ? atoi(argv[1]) : 0;
  /* Referenced so that the linker keeps every library, as slipway's binary does. */
  void* volatile keep[] = {(void*)curl_global_init, (void*)MHD_start_daemon, (void*)sqlite3_open,
                           (void*)archive_read_new, (void*)yaml_parser_initialize};
  (void)keep;
  if (mode >= 1) curl_global_init(CURL_GLOBAL_DEFAULT);
  printf("ready %d\n", (int)getpid());
  fflush(stdout);
  sleep(3600);
  return 0;
}
