// parse_context, the task index among the component's tasks, and the pid file.
#include "multilang/context.hpp"

#include "protocol/text/excerpt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace kspout::multilang {

std::optional<std::pair<int, int>> topology_context::task_index_and_count() const
{
    std::vector<std::int64_t> tasks;
    for (const auto& [task, component] : task_to_component) {
        if (component == component_id) tasks.push_back(task);
    }
    std::sort(tasks.begin(), tasks.end());
    auto it = std::find(tasks.begin(), tasks.end(), task_id);
    if (it == tasks.end()) return std::nullopt;
    return std::pair{static_cast<int>(it - tasks.begin()), static_cast<int>(tasks.size())};
}

std::optional<topology_context> parse_context(const json& context, std::string& error)
{
    topology_context out;
    if (!context.is_object()) {
        error = "context is not an object";
        return std::nullopt;
    }
    if (auto it = context.find("taskid"); it != context.end()) {
        if (!it->is_number_integer()) {
            error = "context \"taskid\" is not an integer";
            return std::nullopt;
        }
        out.task_id = it->get<std::int64_t>();
    }
    if (auto it = context.find("componentid"); it != context.end() && it->is_string()) {
        out.component_id = it->get<std::string>();
    }
    if (auto it = context.find("task->component"); it != context.end()) {
        if (!it->is_object()) {
            error = "context \"task->component\" is not an object";
            return std::nullopt;
        }
        for (const auto& [key, value] : it->items()) {
            char* end = nullptr;
            errno = 0;
            long long task = std::strtoll(key.c_str(), &end, 10);
            if (key.empty() || *end != '\0' || errno == ERANGE || !value.is_string()) {
                error = "context \"task->component\" has a bad entry \"" + key + "\"";
                return std::nullopt;
            }
            out.task_to_component[task] = value.get<std::string>();
        }
    }
    if (out.component_id.empty() && out.task_id >= 0) { // Storm before 0.10 sends no componentid
        if (auto it = out.task_to_component.find(out.task_id); it != out.task_to_component.end()) {
            out.component_id = it->second;
        }
    }
    if (auto it = context.find("stream->outputfields"); it != context.end() && it->is_object()) {
        for (const auto& [stream, fields] : it->items()) {
            if (!fields.is_array()) continue;
            std::vector<std::string> names;
            for (const auto& f : fields) {
                if (f.is_string()) names.push_back(f.get<std::string>());
            }
            out.stream_output_fields[stream] = std::move(names);
        }
    }
    return out;
}

std::optional<std::string> create_pid_file(const std::string& pid_dir, std::int64_t pid)
{
    if (pid_dir.find('\0') != std::string::npos) return "pidDir holds a NUL character: \"" + text::excerpt(pid_dir) + "\"";
    std::string path = pid_dir + "/" + std::to_string(pid);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return "cannot create pid file " + text::excerpt(path) + ": " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
}

} // namespace kspout::multilang
