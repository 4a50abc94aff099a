#include "swarm/distribute.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <future>
#include <mutex>

namespace slipway::swarm {
namespace {

// A bounded byte pipe between the export (writer, on its own thread) and the load (reader):
// the writer blocks when kCapacity bytes wait; close() ends the stream for the reader, fail()
// makes the writer stop (the load gave up).
class Pipe {
 public:
  static constexpr size_t kCapacity = 4 << 20;

  bool write(const char* data, size_t size) {
    std::unique_lock lock(mutex_);
    while (size > 0) {
      cv_.wait(lock, [&] { return buffered_ < kCapacity || reader_gone_; });
      if (reader_gone_) return false;
      size_t n = std::min(size, kCapacity - buffered_);
      chunks_.emplace_back(data, n);
      buffered_ += n;
      data += n;
      size -= n;
      cv_.notify_all();
    }
    return true;
  }
  size_t read(char* out, size_t capacity) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !chunks_.empty() || closed_; });
    size_t done = 0;
    while (done < capacity && !chunks_.empty()) {
      std::string& front = chunks_.front();
      size_t n = std::min(capacity - done, front.size());
      std::memcpy(out + done, front.data(), n);
      done += n;
      buffered_ -= n;
      if (n == front.size())
        chunks_.pop_front();
      else
        front.erase(0, n);
    }
    cv_.notify_all();
    return done;  // 0 only when closed and drained: the end of the body
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    cv_.notify_all();
  }
  void reader_gone() {
    std::lock_guard lock(mutex_);
    reader_gone_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  size_t buffered_ = 0;
  bool closed_ = false, reader_gone_ = false;
};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void transfer(const engine::Engine& source, const engine::Engine& node, const std::vector<std::string>& ids) {
  Pipe pipe;
  auto exporter = std::async(std::launch::async, [&] {
    try {
      source.save_images(ids, [&](const char* d, size_t n) { return pipe.write(d, n); });
    } catch (...) {
      pipe.close();
      throw;
    }
    pipe.close();
  });
  std::exception_ptr load_error;
  try {
    node.load_images([&](char* buf, size_t cap) { return pipe.read(buf, cap); });
  } catch (...) {
    load_error = std::current_exception();
  }
  pipe.reader_gone();
  try {
    exporter.get();  // an export failure explains a broken load best
  } catch (const std::exception& e) {
    throw EnvError("exporting " + join(ids) + " from " + source.address() + " for " + node.address() +
                   " failed: " + e.what());
  }
  if (load_error) {
    try {
      std::rethrow_exception(load_error);
    } catch (const std::exception& e) {
      throw EnvError("loading " + join(ids) + " into " + node.address() + " failed: " + e.what());
    }
  }
  for (const auto& id : ids)
    if (!node.find_image(id))
      throw EnvError("loading " + id + " into " + node.address() + " did not leave the image there");
}

}  // namespace

Distribution distribute_images(const engine::Engine& source,
                               const std::vector<std::shared_ptr<const engine::Engine>>& nodes,
                               const std::vector<std::string>& image_ids) {
  Distribution out;
  std::vector<std::vector<std::string>> missing(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const auto& id : image_ids) {
      if (nodes[i]->find_image(id))
        ++out.present;
      else
        missing[i].push_back(id);
    }
  std::vector<std::future<void>> loads;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (missing[i].empty()) continue;
    out.transfers += static_cast<int>(missing[i].size());
    loads.push_back(std::async(std::launch::async, [&, i] { transfer(source, *nodes[i], missing[i]); }));
  }
  std::exception_ptr first;
  for (auto& l : loads) {
    try {
      l.get();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
  return out;
}

}  // namespace slipway::swarm
