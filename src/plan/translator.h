// The translator behind container_spec (plan/create_body.h): one service -> ContainerCreate.
// Internal to src/plan: its member functions are spread over create_body*.cc by concern
// (values and the dispatch table; storage: mounts, tmpfs, secrets/configs; network: ports,
// networks, links, namespaces; limits: resources, restart, healthcheck, deploy).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "compose/model.h"
#include "plan/create_body.h"

namespace slipway::plan {

using json = nlohmann::json;

// Builds one container's request; `fail` reports a problem at services.<name>.<path>.
class Translator {
 public:
  // `ctx.service` must be a service of `model` (container_spec checks).
  Translator(const compose::Model& model, const CreateContext& ctx)
      : model_(model), ctx_(ctx), spec_(model.service(ctx.service).spec()) {}

  ContainerSpec run();

 private:
  using Handlers = std::map<std::string, void (Translator::*)(const ojson&)>;
  static const Handlers& handlers();

  compose::Model model_;
  const CreateContext& ctx_;
  const ojson& spec_;
  ContainerSpec out_;
  json config_;
  json host_;
  json endpoints_ = json::object();
  std::string path_;

  [[noreturn]] void fail(const std::string& path, const std::string& what) const;
  [[noreturn]] void bad(const std::string& what) const { fail(path_, what); }

  std::string str(const ojson& v) const;
  int64_t integer(const ojson& v, const std::string& what = "must be a number") const;
  int64_t bytes(const ojson& v) const;
  int64_t duration(const ojson& v, const std::string& key) const;
  bool boolean(const ojson& v) const;
  json strings(const ojson& v) const;
  json string_map(const ojson& v) const;
  // Compose's two spellings of a string map: a mapping, or a list of "key=value" ("key" alone
  // maps to "").
  json key_value_map(const ojson& v) const;
  void need_api(const std::string& version) const;
  void ignore(const ojson&) {}
  void command(const ojson& v) {
    if (!v.is_null()) config_["Cmd"] = strings(v);
  }
  void entrypoint(const ojson& v) {
    if (!v.is_null()) config_["Entrypoint"] = strings(v);
  }
  void environment(const ojson& v);
  void expose_port(const std::string& port);
  void ports(const ojson& v);
  void expose(const ojson& v);
  void volumes(const ojson& v);
  void tmpfs(const ojson& v);
  int file_mode(const ojson& v) const;
  void files(const ojson& v, const std::string& kind, const std::string& section);
  void secrets(const ojson& v) { files(v, "secret", "secrets"); }
  void configs(const ojson& v) { files(v, "config", "configs"); }

  void restart(const ojson& v);
  void healthcheck(const ojson& v);
  void user(const ojson& v) { config_["User"] = str(v); }
  void working_dir(const ojson& v) { config_["WorkingDir"] = str(v); }
  void cap_add(const ojson& v) { host_["CapAdd"] = strings(v); }
  void cap_drop(const ojson& v) { host_["CapDrop"] = strings(v); }
  void init(const ojson& v) { host_["Init"] = boolean(v); }
  void read_only(const ojson& v) { host_["ReadonlyRootfs"] = boolean(v); }
  void ulimits(const ojson& v);
  void sysctls(const ojson& v) { host_["Sysctls"] = key_value_map(v); }
  void extra_hosts(const ojson& v);
  void logging(const ojson& v);
  void hostname(const ojson& v) { config_["Hostname"] = str(v); }
  void domainname(const ojson& v) { config_["Domainname"] = str(v); }
  void stop_signal(const ojson& v) { config_["StopSignal"] = str(v); }
  void stop_grace_period(const ojson& v) { config_["StopTimeout"] = stop_timeout_seconds(spec_); }
  void tty(const ojson& v) { config_["Tty"] = boolean(v); }
  void stdin_open(const ojson& v);
  void privileged(const ojson& v) { host_["Privileged"] = boolean(v); }
  void dns(const ojson& v) { host_["Dns"] = strings(v); }
  void dns_search(const ojson& v) { host_["DnsSearch"] = strings(v); }
  void dns_opt(const ojson& v) { host_["DnsOptions"] = strings(v); }
  void devices(const ojson& v);
  void device_cgroup_rules(const ojson& v) { host_["DeviceCgroupRules"] = strings(v); }
  void security_opt(const ojson& v) { host_["SecurityOpt"] = strings(v); }
  void group_add(const ojson& v) { host_["GroupAdd"] = strings(v); }
  std::string service_ref(const std::string& mode) const;
  void namespace_mode(const ojson& v, const char* field);
  void pid(const ojson& v) { namespace_mode(v, "PidMode"); }
  void ipc(const ojson& v) { namespace_mode(v, "IpcMode"); }
  void uts(const ojson& v) { host_["UTSMode"] = str(v); }
  void userns_mode(const ojson& v) { host_["UsernsMode"] = str(v); }
  void cgroup(const ojson& v) { host_["CgroupnsMode"] = str(v); }
  void cgroup_parent(const ojson& v) { host_["CgroupParent"] = str(v); }
  void runtime(const ojson& v) { host_["Runtime"] = str(v); }
  void platform(const ojson& v) { out_.platform = str(v); }
  void isolation(const ojson& v) { host_["Isolation"] = str(v); }
  void shm_size(const ojson& v) { host_["ShmSize"] = bytes(v); }
  void mem_limit(const ojson& v) { host_["Memory"] = bytes(v); }
  void mem_reservation(const ojson& v) { host_["MemoryReservation"] = bytes(v); }
  void memswap_limit(const ojson& v);
  void mem_swappiness(const ojson& v) { host_["MemorySwappiness"] = integer(v); }
  void oom_kill_disable(const ojson& v) { host_["OomKillDisable"] = boolean(v); }
  void oom_score_adj(const ojson& v) { host_["OomScoreAdj"] = integer(v); }
  void pids_limit(const ojson& v) { host_["PidsLimit"] = integer(v); }
  int64_t nano_cpus(const ojson& v) const;
  void cpus(const ojson& v) { host_["NanoCpus"] = nano_cpus(v); }
  void cpu_shares(const ojson& v) { host_["CpuShares"] = integer(v); }
  void cpu_quota(const ojson& v) { host_["CpuQuota"] = integer(v); }
  void cpu_period(const ojson& v) { host_["CpuPeriod"] = integer(v); }
  void cpuset(const ojson& v) { host_["CpusetCpus"] = str(v); }
  void storage_opt(const ojson& v) { host_["StorageOpt"] = string_map(v); }
  void mac_address(const ojson& v) { config_["MacAddress"] = str(v); }
  void links(const ojson& v);
  void external_links(const ojson& v);
  void volumes_from(const ojson& v);
  void deploy(const ojson& v);
  void attach_networks();
  void labels();
};

}  // namespace slipway::plan
