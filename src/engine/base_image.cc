#include "engine/base_image.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <csignal>
#include <regex>
#include <sstream>

#include "util/clock.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/subprocess.h"

namespace slipway::engine {
namespace {

// Removes the scratch directory on every path out.
struct TempDir {
  std::string path;
  explicit TempDir(const std::string& parent) {
    std::string tmpl = parent + "/slipway-base-XXXXXX";
    if (!::mkdtemp(tmpl.data()))
      throw EnvError("cannot create a temporary directory in " + parent + ": " + std::strerror(errno) +
                     " (set TMPDIR to a writable directory with ~500 MB free)");
    path = tmpl;
    std::ofstream(path + "/owner.pid") << ::getpid() << "\n";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// An interrupted run (Ctrl-C skips destructors) leaves a rootfs tar of 100+ MB behind; the next
// run removes those whose owner process is gone.
void remove_stale_temp_dirs(const std::string& parent) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
    std::string name = entry.path().filename();
    if (name.rfind("slipway-base-", 0) != 0 || !entry.is_directory(ec)) continue;
    std::ifstream pidfile(entry.path() / "owner.pid");
    long pid = 0;
    if (!(pidfile >> pid) || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::filesystem::remove_all(entry.path(), ec);
  }
}

// The line of mmdebstrap's output that says what went wrong: its first "E:" line (apt's own
// reason comes first; later ones only say that the run failed), else the last line.
std::string failure_reason(const std::string& text) {
  std::istringstream in(text);
  std::string l, last;
  while (std::getline(in, l)) {
    if (l.rfind("E: ", 0) == 0) return l.substr(3);
    if (!l.empty()) last = l;
  }
  return last.empty() ? "no output" : last;
}

std::string read_status_from_tar(const std::string& tar_path) {
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_all(a);
  if (archive_read_open_filename(a, tar_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    std::string err = archive_error_string(a) ? archive_error_string(a) : "unknown error";
    archive_read_free(a);
    throw EnvError("cannot read " + tar_path + ": " + err);
  }
  std::string status;
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string p = archive_entry_pathname(e);
    if (p == "./var/lib/dpkg/status" || p == "var/lib/dpkg/status") {
      char buf[65536];
      la_ssize_t n;
      while ((n = archive_read_data(a, buf, sizeof buf)) > 0) status.append(buf, static_cast<size_t>(n));
      break;
    }
  }
  archive_read_free(a);
  return status;
}

}  // namespace

std::string debian_suite_of(const std::string& image) {
  static const std::regex re("^debian:([a-z][a-z0-9-]*)$");
  std::smatch m;
  if (!std::regex_match(image, m, re))
    throw UserError("'" + image +
                    "' is not a Debian image name (use debian:<suite>, e.g. debian:bookworm or debian:trixie)");
  return m[1];
}

std::vector<BasePackage> parse_dpkg_status(const std::string& status) {
  std::vector<BasePackage> out;
  std::istringstream in(status + "\n\n");
  std::string line;
  BasePackage cur;
  bool installed = false;
  auto flush = [&] {
    if (!cur.name.empty() && installed) out.push_back(cur);
    cur = BasePackage{};
    installed = false;
  };
  while (std::getline(in, line)) {
    if (line.empty()) {
      flush();
      continue;
    }
    auto field = [&](const char* name) -> const char* {
      size_t n = std::strlen(name);
      return line.compare(0, n, name) == 0 ? line.c_str() + n : nullptr;
    };
    if (const char* v = field("Package: "))
      cur.name = v;
    else if (const char* v = field("Version: "))
      cur.version = v;
    else if (const char* v = field("Architecture: "))
      cur.architecture = v;
    else if (const char* v = field("Status: "))
      installed = std::string(v).find(" installed") != std::string::npos && std::string(v).rfind("install ", 0) == 0;
  }
  std::sort(out.begin(), out.end(), [](const BasePackage& a, const BasePackage& b) {
    return a.name != b.name ? a.name < b.name : a.architecture < b.architecture;
  });
  return out;
}

BaseImageResult make_debian_base(const Engine& client, const BaseImageOptions& o) {
  BaseImageResult r;
  r.image = o.image;
  r.suite = debian_suite_of(o.image);
  std::string mirror = o.mirror;
  long long source_date_epoch = -1;
  if (!o.snapshot.empty()) {
    static const std::regex ts("^(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z$");
    std::smatch m;
    if (!std::regex_match(o.snapshot, m, ts))
      throw UserError("--snapshot '" + o.snapshot +
                      "' is not a snapshot.debian.org timestamp (use YYYYMMDDTHHMMSSZ, e.g. 20250101T000000Z)");
    if (!mirror.empty()) throw UserError("--snapshot and --mirror exclude each other (a snapshot is its own mirror)");
    mirror = "http://snapshot.debian.org/archive/debian/" + o.snapshot + "/";
    std::tm tm{};
    tm.tm_year = std::stoi(m[1]) - 1900;
    tm.tm_mon = std::stoi(m[2]) - 1;
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
    source_date_epoch = timegm(&tm);
  }
  if (!mirror.empty() && mirror.rfind("http://", 0) != 0 && mirror.rfind("https://", 0) != 0 &&
      mirror.rfind("file://", 0) != 0)
    throw UserError("--mirror '" + mirror + "' is not a URL (use e.g. http://deb.debian.org/debian)");
  if (!program_exists("mmdebstrap"))
    throw EnvError("mmdebstrap not found (run scripts/setup, or apt-get install mmdebstrap)");
  client.ping();

  std::string parent = o.temp_dir;
  if (parent.empty()) {
    const char* t = std::getenv("TMPDIR");
    parent = t && *t ? t : "/var/tmp";
  }
  remove_stale_temp_dirs(parent);
  TempDir dir(parent);
  std::string tar = dir.path + "/rootfs.tar";

  std::vector<std::string> argv = {"mmdebstrap", "--variant=" + o.variant, "--format=tar"};
  if (source_date_epoch >= 0) argv.push_back("--aptopt=Acquire::Check-Valid-Until \"false\"");
  argv.push_back(r.suite);
  argv.push_back(tar);
  if (!mirror.empty()) argv.push_back(mirror);

  SubprocessOptions so;
  if (source_date_epoch >= 0) so.extra_env["SOURCE_DATE_EPOCH"] = std::to_string(source_date_epoch);
  so.on_stderr = o.on_progress;
  so.on_stdout = o.on_progress;
  auto t0 = std::chrono::steady_clock::now();
  SubprocessResult res = run_process(argv, so);
  r.bootstrap_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (res.exit_code != 0)
    throw EnvError("mmdebstrap failed for " + r.suite + " (exit " + std::to_string(res.exit_code) +
                   "): " + failure_reason(res.err + res.out) + " (check the suite name, --mirror and network access)");
  struct stat st;
  if (::stat(tar.c_str(), &st) != 0) throw EnvError("mmdebstrap reported success but wrote no " + tar);
  r.tar_bytes = st.st_size;

  r.packages = parse_dpkg_status(read_status_from_tar(tar));
  std::string list, spaced;
  for (const auto& p : r.packages) {
    list += p.name + "=" + p.version + "\n";
    spaced += (spaced.empty() ? "" : " ") + p.name + "=" + p.version;
  }
  r.packages_sha256 = sha256_hex(list);
  r.created = utc_now();

  // The list goes into a label when it is small enough to keep image configs and the import
  // URL (whose query carries these changes) modest; otherwise its digest and count identify it.
  r.package_list_in_label = spaced.size() <= 16384;
  auto label = [](const std::string& k, const std::string& v) { return "LABEL " + k + "=\"" + v + "\""; };
  std::vector<std::string> changes = {
      label(kBaseSuiteLabel, r.suite),
      label(kBaseCreatedLabel, r.created),
      label(kBasePackagesLabel, std::to_string(r.packages.size())),
      label(kBasePackagesHashLabel, r.packages_sha256),
      "CMD [\"bash\"]",
  };
  if (r.package_list_in_label) changes.push_back(label(kBasePackageListLabel, spaced));
  if (!o.snapshot.empty()) changes.push_back(label(kBaseSnapshotLabel, o.snapshot));
  if (!mirror.empty()) changes.push_back(label(kBaseMirrorLabel, mirror));

  int fd = ::open(tar.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw EnvError("cannot open " + tar + ": " + std::strerror(errno));
  auto fd_holder = std::shared_ptr<int>(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  BodyReader reader = [fd_holder, tar](char* buf, size_t cap) -> size_t {
    for (;;) {
      ssize_t n = ::read(*fd_holder, buf, cap);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) throw EnvError("reading " + tar + ": " + std::strerror(errno));
    }
  };
  if (auto before = client.find_image(o.image)) r.previous_image_id = before->value("Id", "");
  size_t colon = o.image.find(':');
  auto t1 = std::chrono::steady_clock::now();
  r.image_id = client.import_image(reader, o.image.substr(0, colon), o.image.substr(colon + 1), changes,
                                   "slipway base " + o.image);
  r.import_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  return r;
}

}  // namespace slipway::engine
