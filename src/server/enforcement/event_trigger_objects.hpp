// What PostgreSQL tells an event trigger about the objects of the command that fired it
// (pg_event_trigger_ddl_commands(), pg_event_trigger_dropped_objects()), read by calling those
// functions directly rather than through an SPI query: no parse, plan or executor per statement,
// and no name resolved through anybody's search_path.
#pragma once

#include <string>
#include <vector>

namespace mg::server {

// pg_event_trigger_ddl_commands(), in ddl_command_end.
struct CommandObject {
    std::string command_tag;
    std::string object_type;
    std::string schema;    // "" when none
    std::string identity;  // "" when none
    bool in_extension = false;
};
std::vector<CommandObject> ddl_command_objects();

// pg_event_trigger_dropped_objects(), in sql_drop.
struct DroppedObject {
    std::string object_type;
    std::string schema;    // "" when none
    std::string identity;
    std::string address;   // address_names joined with '.' (schema.table[.column] for tables, columns)
    bool original = false, normal = false, is_temporary = false;
};
std::vector<DroppedObject> dropped_objects();

}  // namespace mg::server
