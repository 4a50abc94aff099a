// The shapes of compose-go's model types (types.go, v2.16.2): for each type, its fields in the
// order `docker compose config` prints them and the kind of value each holds. Normalization
// decodes every value against its field (normalizer.h); emit and struct_keys read the order.
#pragma once

#include <string>
#include <vector>

namespace slipway::compose::norm {

// The kind of value a field holds, which decides how it is decoded (normalize_*.cc).
enum class T {
  Str,
  Int,
  IntKeep,
  Float,
  Bool,
  BoolKeep,
  OptOut,
  Dur,
  DurKeep,
  Bytes,
  StrList,
  StrOrList,
  Command,
  Mapping,
  MappingEq,
  MappingArgs,
  Labels,
  Struct,
  StructKeep,
  StructList,
  StructMap,
  Any,
  HealthTest,
  Hosts,
  Ulimits,
  Mode,
  Ports,
  Volumes,
  DependsOn,
  Networks,
  Secrets,
  Configs,
  Devices,
  Build,
  Expose,
  Extends,
  ExtMap,
  Drop,
  DeviceCount,
  Gpus,
  AbsPath
};

struct Shape;
struct Field {
  std::string key;
  T type;
  const Shape* shape = nullptr;
};
struct Shape {
  std::string name;
  std::vector<Field> fields;
  bool extensions = true;  // x-* keys kept (sorted, after the fields)
  const Field* find(const std::string& k) const {
    for (const Field& f : fields)
      if (f.key == k) return &f;
    return nullptr;
  }
};

// --- the model's shapes (compose-go v2.16.2 types.go field order) ------------------------

struct Shapes {
  Shape ipam_pool{"ipam_pool",
                  {{"subnet", T::Str}, {"gateway", T::Str}, {"ip_range", T::Str}, {"aux_addresses", T::Mapping}}};
  Shape ipam{"ipam", {{"driver", T::Str}, {"config", T::StructList, &ipam_pool}, {"options", T::Mapping}}};
  Shape network{"network",
                {{"name", T::Str},
                 {"driver", T::Str},
                 {"driver_opts", T::Mapping},
                 {"ipam", T::Struct, &ipam},
                 {"external", T::Bool},
                 {"internal", T::Bool},
                 {"attachable", T::Bool},
                 {"labels", T::Labels},
                 {"enable_ipv4", T::BoolKeep},
                 {"enable_ipv6", T::BoolKeep}}};
  Shape volume{"volume",
               {{"name", T::Str},
                {"driver", T::Str},
                {"driver_opts", T::Mapping},
                {"external", T::Bool},
                {"labels", T::Labels}}};
  Shape file_object{"file_object",
                    {{"name", T::Str},
                     {"file", T::Str},
                     {"environment", T::Str},
                     {"content", T::Str},
                     {"external", T::Bool},
                     {"labels", T::Labels},
                     {"driver", T::Str},
                     {"driver_opts", T::Mapping},
                     {"template_driver", T::Str}}};
  Shape file_ref{"file_ref",
                 {{"source", T::Str}, {"target", T::Str}, {"uid", T::Str}, {"gid", T::Str}, {"mode", T::Mode}}};
  Shape port{"port",
             {{"name", T::Str},
              {"mode", T::Str},
              {"host_ip", T::Str},
              {"target", T::Int},
              {"published", T::Str},
              {"protocol", T::Str},
              {"app_protocol", T::Str}}};
  Shape vol_bind{
      "service_volume_bind",
      {{"selinux", T::Str}, {"propagation", T::Str}, {"create_host_path", T::OptOut}, {"recursive", T::Str}}};
  Shape vol_volume{"service_volume_volume", {{"labels", T::Mapping}, {"nocopy", T::Bool}, {"subpath", T::Str}}};
  Shape vol_tmpfs{"service_volume_tmpfs", {{"size", T::Bytes}, {"mode", T::Int}}};
  Shape vol_image{"service_volume_image", {{"subpath", T::Str}}};
  Shape service_volume{"service_volume",
                       {{"type", T::Str},
                        {"source", T::Str},
                        {"target", T::Str},
                        {"read_only", T::Bool},
                        {"consistency", T::Str},
                        {"bind", T::StructKeep, &vol_bind},
                        {"volume", T::StructKeep, &vol_volume},
                        {"tmpfs", T::StructKeep, &vol_tmpfs},
                        {"image", T::StructKeep, &vol_image}}};
  Shape service_network{"service_network",
                        {{"aliases", T::StrList},
                         {"driver_opts", T::Mapping},
                         {"gw_priority", T::Int},
                         {"interface_name", T::Str},
                         {"ipv4_address", T::Str},
                         {"ipv6_address", T::Str},
                         {"link_local_ips", T::StrList},
                         {"mac_address", T::Str},
                         {"priority", T::Int},
                         {"use_service_name_alias", T::BoolKeep}}};
  Shape dependency{"dependency",
                   {{"condition", T::Str}, {"restart", T::Bool}, {"#ext", T::ExtMap}, {"required", T::BoolKeep}},
                   false};
  Shape healthcheck{"healthcheck",
                    {{"test", T::HealthTest},
                     {"timeout", T::DurKeep},
                     {"interval", T::DurKeep},
                     {"retries", T::IntKeep},
                     {"start_period", T::DurKeep},
                     {"start_interval", T::DurKeep},
                     {"disable", T::Bool}}};
  Shape logging{"logging", {{"driver", T::Str}, {"options", T::Mapping}}};
  Shape update{"update_config",
               {{"parallelism", T::IntKeep},
                {"delay", T::Dur},
                {"failure_action", T::Str},
                {"monitor", T::Dur},
                {"max_failure_ratio", T::Float},
                {"order", T::Str}}};
  Shape device_request{"device_request",
                       {{"capabilities", T::StrList},
                        {"driver", T::Str},
                        {"count", T::DeviceCount},
                        {"device_ids", T::StrList},
                        {"options", T::Mapping}}};
  Shape trigger{"trigger",
                {{"path", T::AbsPath},
                 {"action", T::Str},
                 {"target", T::Str},
                 {"exec", T::Any},
                 {"include", T::StrOrList},
                 {"ignore", T::StrOrList},
                 {"initial_sync", T::Bool}}};
  Shape develop{"develop", {{"watch", T::StructList, &trigger}}};
  Shape resource{"resource",
                 {{"cpus", T::Float},
                  {"memory", T::Bytes},
                  {"pids", T::Int},
                  {"devices", T::StructList, &device_request},
                  {"generic_resources", T::Any}}};
  Shape resources{"resources", {{"limits", T::StructKeep, &resource}, {"reservations", T::StructKeep, &resource}}};
  Shape restart_policy{
      "restart_policy",
      {{"condition", T::Str}, {"delay", T::DurKeep}, {"max_attempts", T::IntKeep}, {"window", T::DurKeep}}};
  Shape preference{"preference", {{"spread", T::Str}}};
  Shape placement{
      "placement",
      {{"constraints", T::StrList}, {"preferences", T::StructList, &preference}, {"max_replicas_per_node", T::Int}}};
  Shape deploy{"deploy",
               {{"mode", T::Str},
                {"replicas", T::IntKeep},
                {"labels", T::Labels},
                {"update_config", T::StructKeep, &update},
                {"rollback_config", T::StructKeep, &update},
                {"resources", T::Struct, &resources},
                {"restart_policy", T::StructKeep, &restart_policy},
                {"placement", T::Struct, &placement},
                {"endpoint_mode", T::Str}}};
  Shape build{"build",
              {{"context", T::Str},
               {"dockerfile", T::Str},
               {"dockerfile_inline", T::Str},
               {"entitlements", T::StrList},
               {"args", T::MappingArgs},
               {"provenance", T::Any},
               {"sbom", T::Any},
               {"ssh", T::Any},
               {"labels", T::Labels},
               {"cache_from", T::StrOrList},
               {"cache_to", T::StrOrList},
               {"no_cache", T::Bool},
               {"no_cache_filter", T::StrOrList},
               {"additional_contexts", T::Mapping},
               {"pull", T::Bool},
               {"extra_hosts", T::Hosts},
               {"isolation", T::Str},
               {"network", T::Str},
               {"target", T::Str},
               {"secrets", T::Configs, &file_ref},
               {"shm_size", T::Bytes},
               {"tags", T::StrOrList},
               {"ulimits", T::Ulimits},
               {"platforms", T::StrOrList},
               {"privileged", T::Bool}}};
  Shape device{"device", {{"source", T::Str}, {"target", T::Str}, {"permissions", T::Str}}};
  Shape credential_spec{"credential_spec", {{"config", T::Str}, {"file", T::Str}, {"registry", T::Str}}};
  Shape extends{"extends", {{"file", T::Str}, {"service", T::Str}}, false};
  Shape weight_device{"weight_device", {{"path", T::Str}, {"weight", T::Int}}};
  Shape throttle_device{"throttle_device", {{"path", T::Str}, {"rate", T::Bytes}}};
  Shape blkio{"blkio_config",
              {{"weight", T::Int},
               {"weight_device", T::StructList, &weight_device},
               {"device_read_bps", T::StructList, &throttle_device},
               {"device_read_iops", T::StructList, &throttle_device},
               {"device_write_bps", T::StructList, &throttle_device},
               {"device_write_iops", T::StructList, &throttle_device}}};
  Shape service{"service",
                {{"profiles", T::StrList},
                 {"deploy", T::StructKeep, &deploy},
                 {"develop", T::StructKeep, &develop},
                 {"restart", T::Str},
                 {"scale", T::IntKeep},
                 {"attach", T::BoolKeep},
                 {"container_name", T::Str},
                 {"provider", T::Any},
                 {"extends", T::Extends, &extends},
                 {"external_links", T::StrList},
                 {"links", T::StrList},
                 {"net", T::Str},
                 {"pre_start", T::Any},
                 {"post_start", T::Any},
                 {"pre_stop", T::Any},
                 // ContainerSpec
                 {"annotations", T::Mapping},
                 {"blkio_config", T::StructKeep, &blkio},
                 {"cap_add", T::StrList},
                 {"cap_drop", T::StrList},
                 {"cgroup_parent", T::Str},
                 {"cgroup", T::Str},
                 {"cpu_count", T::Int},
                 {"cpu_percent", T::Float},
                 {"cpu_period", T::Int},
                 {"cpu_quota", T::Int},
                 {"cpu_rt_period", T::Int},
                 {"cpu_rt_runtime", T::Int},
                 {"cpus", T::Float},
                 {"cpuset", T::Str},
                 {"cpu_shares", T::Int},
                 {"command", T::Command},
                 {"configs", T::Configs, &file_ref},
                 {"credential_spec", T::StructKeep, &credential_spec},
                 {"device_cgroup_rules", T::StrList},
                 {"devices", T::Devices, &device},
                 {"dns", T::StrOrList},
                 {"dns_opt", T::StrList},
                 {"dns_search", T::StrOrList},
                 {"domainname", T::Str},
                 {"entrypoint", T::Command},
                 {"environment", T::MappingEq},
                 {"env_file", T::Drop},
                 {"extra_hosts", T::Hosts},
                 {"group_add", T::StrList},
                 {"gpus", T::Gpus, &device_request},
                 {"hostname", T::Str},
                 {"image", T::Str},
                 {"init", T::BoolKeep},
                 {"ipc", T::Str},
                 {"isolation", T::Str},
                 {"labels", T::Labels},
                 {"label_file", T::StrOrList},
                 {"logging", T::StructKeep, &logging},
                 {"log_driver", T::Str},
                 {"log_opt", T::Mapping},
                 {"mem_limit", T::Bytes},
                 {"mem_reservation", T::Bytes},
                 {"memswap_limit", T::Bytes},
                 {"mem_swappiness", T::Bytes},
                 {"mac_address", T::Str},
                 {"models", T::Any},
                 {"network_mode", T::Str},
                 {"networks", T::Networks, &service_network},
                 {"oom_kill_disable", T::Bool},
                 {"oom_score_adj", T::Int},
                 {"pid", T::Str},
                 {"pids_limit", T::Int},
                 {"platform", T::Str},
                 {"privileged", T::Bool},
                 {"pull_policy", T::Str},
                 {"pull_refresh_after", T::Str},
                 {"read_only", T::Bool},
                 {"runtime", T::Str},
                 {"secrets", T::Secrets, &file_ref},
                 {"security_opt", T::StrList},
                 {"shm_size", T::Bytes},
                 {"stop_grace_period", T::DurKeep},
                 {"stop_signal", T::Str},
                 {"storage_opt", T::Mapping},
                 {"sysctls", T::Mapping},
                 {"tmpfs", T::StrOrList},
                 {"ulimits", T::Ulimits},
                 {"umask", T::Any},
                 {"use_api_socket", T::Bool},
                 {"user", T::Str},
                 {"userns_mode", T::Str},
                 {"uts", T::Str},
                 {"volume_driver", T::Str},
                 {"volumes", T::Volumes, &service_volume},
                 {"volumes_from", T::StrList},
                 {"working_dir", T::Str},
                 // WorkloadSpec
                 {"build", T::Build, &build},
                 {"depends_on", T::DependsOn, &dependency},
                 {"dockerfile", T::Str},
                 {"expose", T::Expose},
                 {"healthcheck", T::StructKeep, &healthcheck},
                 {"ports", T::Ports, &port},
                 {"stdin_open", T::Bool},
                 {"tty", T::Bool}}};
};

// The one instance of every shape.
const Shapes& shapes();

}  // namespace slipway::compose::norm
