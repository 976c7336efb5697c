// What a benchmark driver (Storm's side of the pipe) reads from one multilang message: its
// command, id and tuple arity, validated by nlohmann's SAX parser without building a document.
#pragma once

#include "multilang/messages.hpp"

#include <optional>
#include <string>

namespace kspout::bench {

using kspout::multilang::json;

// Validating the whole text without building a document keeps the driver cheaper than the
// components it measures.
struct message_summary : nlohmann::json_sax<json> {
    std::string command;
    std::optional<std::string> id;
    long tuple_arity = -1;
    std::string error;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool string(string_t& text) override
    {
        if (depth_ == 1 && key_ == "command") command = text;
        if (depth_ == 1 && key_ == "id") id = text;
        return value();
    }
    bool start_object(std::size_t) override { return open(); }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override
    {
        if (depth_ == 1 && key_ == "tuple") tuple_arity = 0;
        return open();
    }
    bool end_array() override { return close(); }
    bool key(string_t& name) override
    {
        if (depth_ == 1) key_ = name;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override
    {
        error = e.what();
        return false;
    }

private:
    bool value()
    {
        if (depth_ == 2 && key_ == "tuple" && tuple_arity >= 0) ++tuple_arity;
        return true;
    }
    bool open()
    {
        value();
        ++depth_;
        return true;
    }
    bool close()
    {
        --depth_;
        return true;
    }

    int depth_ = 0;
    std::string key_;
};

} // namespace kspout::bench
