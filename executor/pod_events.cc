#include "executor/pod_events.h"

// g++ 12 at -O2 flags Asio 1.74's coroutine frames (sized operator delete paired with the frame's
// own operator new) as mismatched: a false positive that -Werror would turn into a failure.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/json_fields.h"

namespace kexsim::executor {

std::vector<std::string> tabwriter_block(const std::vector<std::vector<std::string>>& rows, size_t minwidth,
                                         size_t padding) {
  // text/tabwriter format(): a column block is a run of consecutive rows that have a cell in that column
  // (a cell is tab-terminated, so a row's last text is not in any column). Widths count runes; the texts
  // here are ASCII or counted as bytes, as the events are.
  std::vector<std::string> out(rows.size());
  std::vector<size_t> width;
  size_t columns = 0;
  for (const auto& row : rows) columns = std::max(columns, row.empty() ? 0 : row.size() - 1);
  for (size_t col = 0; col < columns; ++col) {
    size_t begin = 0;
    while (begin < rows.size()) {
      if (rows[begin].size() <= col + 1) {
        ++begin;
        continue;
      }
      size_t end = begin, w = minwidth;
      while (end < rows.size() && rows[end].size() > col + 1) {
        w = std::max(w, rows[end][col].size() + padding);
        ++end;
      }
      for (size_t r = begin; r < end; ++r) out[r] += rows[r][col] + std::string(w - rows[r][col].size(), ' ');
      begin = end;
    }
  }
  for (size_t r = 0; r < rows.size(); ++r)
    if (!rows[r].empty()) out[r] += rows[r].back();
  return out;
}

std::vector<std::string> PodEventPrinter::print(const std::string& type, const std::string& reason,
                                                const std::string& message) {
  std::vector<std::vector<std::string>> rows;
  if (!header_written_) rows.push_back({"Type", "Reason", "Message"});  // fmt.Fprintln(w, "Type\tReason\tMessage")
  header_written_ = true;
  rows.push_back({type, reason, message});  // fmt.Fprintf(w, "%s\t%s\t%s\n", …); w.Flush()
  return tabwriter_block(rows);
}

namespace {

// The watch until its end; how it ended does not matter (printPodEvents' loop just stops).
asio::awaitable<void> drive_watch(WatchTarget target, std::string path, std::shared_ptr<WatchControl> control,
                                  std::function<void(const std::string&, const nlohmann::json&)> handler) {
  co_await run_watch(std::move(target), std::move(path), std::move(control), std::move(handler));
}

}  // namespace

PodEventsWatch::PodEventsWatch(asio::any_io_executor ex, KubeClient& kube, std::string ns, std::string pod,
                               std::function<void(std::string_view)> sink)
    : ex_(std::move(ex)), kube_(kube), ns_(std::move(ns)), pod_(std::move(pod)), sink_(std::move(sink)) {}

std::string PodEventsWatch::path() const {
  // CoreV1().Events(ns).Watch(ListOptions{FieldSelector: "involvedObject.name=<pod>"}): no timeout.
  return "/api/v1/namespaces/" + ns_ + "/events?fieldSelector=" + url_encode("involvedObject.name=" + pod_) +
         "&watch=true";
}

asio::awaitable<Result<bool>> PodEventsWatch::start() {
  auto self = shared_from_this();
  open_wait_ = std::make_shared<asio::steady_timer>(ex_, asio::steady_timer::time_point::max());
  control_->established = [self](const Result<bool>& r) {
    self->opened_ = r;
    if (self->open_wait_) self->open_wait_->cancel();
  };
  std::function<void(const std::string&, const nlohmann::json&)> handler =
      [self](const std::string& type, const nlohmann::json& object) { self->on_event(type, object); };
  WatchTarget target = kube_.watch_target();
  std::string where = path();
  std::shared_ptr<WatchControl> control = control_;
  asio::co_spawn(
      ex_, [target, where, control, handler]() { return drive_watch(target, where, control, handler); },
      asio::detached);
  std::shared_ptr<asio::steady_timer> wait = open_wait_;
  while (!opened_) {
    boost::system::error_code ignored;
    co_await wait->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return *opened_;
}

void PodEventsWatch::stop() {
  sink_ = nullptr;
  control_->stop();
}

void PodEventsWatch::on_event(const std::string& type, const nlohmann::json& object) {
  // printPodEvents: result.Object.(*api.Event), else skipped (an ERROR event carries a Status).
  if (!sink_ || type == "ERROR" || type == "BOOKMARK") return;
  const nlohmann::json& kind = json_fields::member(object, "kind");
  if (!object.is_object() || (kind.is_string() && kind != "Event")) return;
  const auto field = [&](const char* key) {
    const nlohmann::json& v = json_fields::member(object, key);
    return v.is_string() ? v.get<std::string>() : std::string();
  };
  std::string message = field("message");
  if (message.empty()) message = field("note");
  for (const std::string& line : printer_.print(field("type"), field("reason"), message)) sink_(line);
}

}  // namespace kexsim::executor
