#include "update/conffiles.h"

#include <sstream>

#include "util/split.h"

namespace slipway::update {
namespace {

std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

struct Edit {
  char op;      // ' ', '-', '+'
  size_t a, b;  // line indexes in a and b (for ' ' both, '-' a, '+' b)
};

// The edit script from a longest common subsequence (plain DP: conffiles are small, and
// unified_diff bounds the size before calling this).
std::vector<Edit> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t n = a.size(), m = b.size();
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<Edit> out;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      out.push_back({' ', i++, j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push_back({'-', i++, j});  // deletions before insertions, as diff -u prints them
    } else {
      out.push_back({'+', i, j++});
    }
  }
  return out;
}

}  // namespace

std::vector<Conffile> parse_conffiles(const std::string& output) {
  std::vector<Conffile> out;
  std::string package;
  bool installed = false;
  auto add = [&](const std::string& entry) {  // " /path md5 [obsolete]"
    std::istringstream in(entry);
    Conffile c;
    c.package = package;
    std::string flag;
    in >> c.path >> c.md5;
    while (in >> flag) c.obsolete = c.obsolete || flag == "obsolete";
    if (installed && !c.path.empty() && c.path[0] == '/' && !c.md5.empty()) out.push_back(std::move(c));
  };
  for (const auto& line : text_lines(output)) {
    if (line.empty()) continue;
    if (line[0] == ' ') {
      add(line);
      continue;
    }
    // dpkg-query prints the first conffile on the package's own line, after the tab.
    auto f = split(line, '\t');
    package = f[0];
    installed = f.size() > 1 && f[1] == "installed";
    if (f.size() > 2 && !f[2].empty()) add(f[2]);
  }
  return out;
}

std::map<std::string, std::string> parse_md5sums(const std::string& output) {
  std::map<std::string, std::string> out;
  for (const auto& line : text_lines(output)) {
    if (line.size() < 35 || line[0] == '\\' || line[32] != ' ') continue;
    out[line.substr(34)] = line.substr(0, 32);
  }
  return out;
}

std::vector<OverriddenConffile> overridden_conffiles(const std::vector<Conffile>& conffiles,
                                                     const std::map<std::string, std::string>& actual) {
  std::vector<OverriddenConffile> out;
  for (const auto& c : conffiles) {
    if (c.obsolete || c.md5 == "newconffile") continue;
    auto it = actual.find(c.path);
    std::string md5 = it == actual.end() ? "" : it->second;
    if (md5 != c.md5) out.push_back({c, md5});
  }
  return out;
}

std::string unified_diff(const std::string& a, const std::string& b, const std::string& a_label,
                         const std::string& b_label, size_t max_lines) {
  if (a == b) return "";
  auto la = text_lines(a), lb = text_lines(b);
  std::string head = "--- " + a_label + "\n+++ " + b_label + "\n";
  if (la.size() > max_lines || lb.size() > max_lines)
    return head + "(too long to diff here: " + std::to_string(la.size()) + " and " + std::to_string(lb.size()) +
           " lines)\n";
  auto edits = edit_script(la, lb);
  const size_t context = 3;
  std::string out = head;
  size_t k = 0;
  while (k < edits.size()) {
    while (k < edits.size() && edits[k].op == ' ') ++k;
    if (k == edits.size()) break;
    size_t start = k >= context ? k - context : 0, end = k;
    // Extend the hunk while the next change is within 2*context unchanged lines.
    while (end < edits.size()) {
      size_t same = 0, e = end;
      while (e < edits.size() && edits[e].op == ' ') ++e, ++same;
      if (e == edits.size() || same > 2 * context) {
        end = std::min(end + context, edits.size());
        break;
      }
      end = e;
      while (end < edits.size() && edits[end].op != ' ') ++end;
    }
    size_t a_start = edits[start].a, b_start = edits[start].b, a_count = 0, b_count = 0;
    std::string body;
    for (size_t i = start; i < end; ++i) {
      const Edit& e = edits[i];
      const std::string& text = e.op == '+' ? lb[e.b] : la[e.a];
      body += std::string(1, e.op) + text + "\n";
      a_count += e.op != '+';
      b_count += e.op != '-';
    }
    out += "@@ -" + std::to_string(a_count ? a_start + 1 : a_start) + "," + std::to_string(a_count) + " +" +
           std::to_string(b_count ? b_start + 1 : b_start) + "," + std::to_string(b_count) + " @@\n" + body;
    k = end;
  }
  return out;
}

}  // namespace slipway::update
