#include "compose/merge_tags.h"

#include "compose/merge.h"

namespace slipway::compose {

using yaml::Node;

void apply_tags(Node* target, Node& over) {
  if (over.is_mapping()) {
    auto& entries = over.entries();
    for (size_t i = 0; i < entries.size();) {
      Node& v = entries[i].value;
      const std::string& key = entries[i].key.value();
      if (v.tag() == "!reset" || v.tag() == "!override") {
        if (target && target->is_mapping()) target->erase(key);
        if (v.tag() == "!reset") {
          entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
          continue;
        }
        v.set_tag("");
        strip_merge_tags(v);
      } else {
        Node* sub = target && target->is_mapping() ? target->find(key) : nullptr;
        apply_tags(sub, v);
      }
      ++i;
    }
  } else if (over.is_sequence()) {
    // Items are not addressed by the reset paths in compose-go: a tagged item only leaves the
    // list it is written in.
    auto& items = over.items();
    for (size_t i = 0; i < items.size();) {
      if (items[i].tag() == "!reset") {
        items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      if (items[i].tag() == "!override") items[i].set_tag("");
      apply_tags(nullptr, items[i]);
      ++i;
    }
  }
}

void strip_merge_tags(yaml::Node& root) {
  if (root.tag() == "!override") root.set_tag("");
  if (root.tag() == "!reset") {
    root = Node::null(root.mark());
    return;
  }
  apply_tags(nullptr, root);
}

bool has_merge_tags(const yaml::Node& root) {
  if (root.tag() == "!reset" || root.tag() == "!override") return true;
  if (root.is_mapping()) {
    for (const auto& e : root.entries())
      if (has_merge_tags(e.value)) return true;
  } else if (root.is_sequence()) {
    for (const auto& item : root.items())
      if (has_merge_tags(item)) return true;
  }
  return false;
}

}  // namespace slipway::compose
