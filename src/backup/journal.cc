#include "backup/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string nonce() {
  std::random_device rd;
  char b[24];
  std::snprintf(b, sizeof b, "%08x%08x", rd(), rd());
  return b;
}

void write_file_durably(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw EnvError("cannot write the journal " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fdatasync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    throw EnvError("cannot write the journal " + path + ": " + std::strerror(ok ? errno : saved) +
                   " (is the state directory writable and not full?)");
  int dir = ::open(fs::path(path).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

json strings(const std::vector<std::string>& v) { return json(v); }

std::vector<std::string> strings_of(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array())
    for (const auto& s : j[key])
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

uint64_t u64(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number_unsigned() ? j[key].get<uint64_t>() : 0;
}

}  // namespace

std::string restore_phase_name(RestorePhase p) {
  switch (p) {
    case RestorePhase::swapping:
      return "swapping";
    case RestorePhase::swapped:
      return "swapped";
    case RestorePhase::loading:
      return "loading";
    default:
      return "preparing";
  }
}

ResticRecord restic_record(const ResticConfig& config) {
  ResticRecord r;
  r.repository = config.repository;
  r.password_file = config.password_file;
  r.program = config.program;
  for (const auto& [k, v] : config.extra_env)
    if (k.find("PASSWORD") == std::string::npos) r.extra_env[k] = v;
  return r;
}

std::string record_to_json(const JournalRecord& r) {
  json j = {{"version", 1}, {"kind", r.kind}, {"stack", r.stack}, {"run", r.run}};
  j["restic"] = {{"repository", r.restic.repository},
                 {"password_file", r.restic.password_file},
                 {"program", r.restic.program},
                 {"extra_env", r.restic.extra_env}};
  j["quiesced"] = json::array();
  for (const auto& q : r.quiesced) j["quiesced"].push_back({{"id", q.id}, {"what", q.what}, {"stopped", q.stopped}});
  j["posts"] = json::array();
  for (const auto& p : r.posts) j["posts"].push_back({{"service", p.service}, {"command", strings(p.command)}});
  j["writing_runs"] = strings(r.writing_runs);
  j["restic_paths"] = strings(r.restic_paths);
  j["phase"] = restore_phase_name(r.phase);
  j["safety_run"] = r.safety_run;
  j["targets"] = json::array();
  for (const auto& t : r.targets)
    j["targets"].push_back({{"key", t.key},
                            {"live", t.live},
                            {"staged", t.staged},
                            {"live_inode", t.live_inode},
                            {"staged_inode", t.staged_inode}});
  j["dumps"] = json::array();
  for (const auto& d : r.dumps)
    j["dumps"].push_back({{"service", d.service},
                          {"snapshot_id", d.snapshot_id},
                          {"path", d.path},
                          {"bytes", d.bytes},
                          {"command", strings(d.command)},
                          {"user", d.user},
                          {"loaded", d.loaded}});
  j["throwaway"] = r.throwaway;
  return j.dump(1);
}

std::optional<JournalRecord> record_from_json(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1) return std::nullopt;
  JournalRecord r;
  r.kind = str(j, "kind");
  r.stack = str(j, "stack");
  r.run = str(j, "run");
  if (j.contains("restic") && j["restic"].is_object()) {
    const json& rs = j["restic"];
    r.restic.repository = str(rs, "repository");
    r.restic.password_file = str(rs, "password_file");
    r.restic.program = str(rs, "program").empty() ? "restic" : str(rs, "program");
    if (rs.contains("extra_env") && rs["extra_env"].is_object())
      for (const auto& [k, v] : rs["extra_env"].items())
        if (v.is_string()) r.restic.extra_env[k] = v.get<std::string>();
  }
  for (const auto& q : j.value("quiesced", json::array()))
    if (q.is_object()) r.quiesced.push_back({str(q, "id"), str(q, "what"), q.value("stopped", false)});
  for (const auto& p : j.value("posts", json::array()))
    if (p.is_object()) r.posts.push_back({str(p, "service"), strings_of(p, "command")});
  r.writing_runs = strings_of(j, "writing_runs");
  r.restic_paths = strings_of(j, "restic_paths");
  std::string phase = str(j, "phase");
  r.phase = phase == "swapping"  ? RestorePhase::swapping
            : phase == "swapped" ? RestorePhase::swapped
            : phase == "loading" ? RestorePhase::loading
                                 : RestorePhase::preparing;
  r.safety_run = str(j, "safety_run");
  for (const auto& t : j.value("targets", json::array()))
    if (t.is_object())
      r.targets.push_back(
          {str(t, "key"), str(t, "live"), str(t, "staged"), u64(t, "live_inode"), u64(t, "staged_inode")});
  for (const auto& d : j.value("dumps", json::array()))
    if (d.is_object())
      r.dumps.push_back({str(d, "service"), str(d, "snapshot_id"), str(d, "path"), str(d, "bytes"),
                         strings_of(d, "command"), str(d, "user"), d.value("loaded", false)});
  r.throwaway = str(j, "throwaway");
  return r;
}

std::string journal_directory(const std::string& state_dir) { return state_dir + "/journal"; }

Journal::Journal(const std::string& dir, JournalRecord record) : record_(std::move(record)) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0700);
  std::string base = dir + "/" + record_.stack + "." + record_.kind + "." + nonce();
  json_path_ = base + ".json";
  lock_path_ = base + ".lock";
  // Locked under a temporary name, then renamed: a lock file visible under its final name is
  // always held by its owner first, so nobody mistakes a starting operation for a dead one.
  std::string tmp = base + ".lock.new";
  lock_fd_ = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (lock_fd_ < 0)
    throw EnvError("cannot write the journal in " + dir + ": " + std::strerror(errno) +
                   " (set SLIPWAY_STATE_DIR to a writable directory)");
  if (::flock(lock_fd_, LOCK_EX) != 0 || ::rename(tmp.c_str(), lock_path_.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::close(lock_fd_);
    ::unlink(tmp.c_str());
    throw EnvError("cannot lock the journal in " + dir + ": " + why);
  }
  try {
    write_locked();
  } catch (...) {
    ::unlink(lock_path_.c_str());
    ::close(lock_fd_);
    throw;
  }
}

Journal::~Journal() {
  if (lock_fd_ < 0) return;
  // A container still paused or stopped is work for the next command's recovery.
  if (!keep_ && record_.quiesced.empty()) {
    ::unlink(json_path_.c_str());
    ::unlink(lock_path_.c_str());
  }
  ::close(lock_fd_);
}

void Journal::write_locked() {
  if (lock_fd_ < 0) return;
  write_file_durably(json_path_, record_to_json(record_));
}

void Journal::update(const std::function<void(JournalRecord&)>& change) {
  std::lock_guard<std::mutex> lock(mu_);
  change(record_);
  write_locked();
}

JournalRecord Journal::record() const {
  std::lock_guard<std::mutex> lock(mu_);
  return record_;
}

OrphanedJournal::OrphanedJournal(std::string json_path, std::string lock_path, int lock_fd,
                                 std::optional<JournalRecord> record)
    : json_path_(std::move(json_path)),
      lock_path_(std::move(lock_path)),
      lock_fd_(lock_fd),
      record_(std::move(record)) {}

OrphanedJournal::OrphanedJournal(OrphanedJournal&& o) noexcept
    : json_path_(std::move(o.json_path_)),
      lock_path_(std::move(o.lock_path_)),
      lock_fd_(o.lock_fd_),
      record_(std::move(o.record_)) {
  o.lock_fd_ = -1;
}

OrphanedJournal::~OrphanedJournal() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void OrphanedJournal::save(const JournalRecord& r) {
  record_ = r;
  write_file_durably(json_path_, record_to_json(r));
}

void OrphanedJournal::done() {
  ::unlink(json_path_.c_str());
  ::unlink((json_path_ + ".tmp").c_str());
  ::unlink(lock_path_.c_str());
}

std::vector<OrphanedJournal> orphaned_journals(const std::string& dir, const std::string& stack) {
  std::vector<OrphanedJournal> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return out;
  for (const auto& e : it) {
    std::string name = e.path().filename().string();
    if (name.size() < 6 || name.compare(name.size() - 5, 5, ".lock") != 0) continue;
    if (!stack.empty() && name.rfind(stack + ".", 0) != 0) continue;
    int fd = ::open(e.path().c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {  // its owner is alive (or another recovery runs)
      ::close(fd);
      continue;
    }
    struct stat by_fd, by_name;
    if (::fstat(fd, &by_fd) != 0 || ::stat(e.path().c_str(), &by_name) != 0 || by_fd.st_ino != by_name.st_ino) {
      ::close(fd);  // recovered and removed by someone else meanwhile
      continue;
    }
    std::string json_path = e.path().string();
    json_path.replace(json_path.size() - 5, 5, ".json");
    std::ifstream in(json_path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    out.emplace_back(json_path, e.path().string(), fd, text.empty() ? std::nullopt : record_from_json(text));
  }
  return out;
}

}  // namespace slipway::backup
