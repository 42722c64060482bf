// The rollback guide of a migration text (migration-guard rollback): each statement's undo steps
// as the text alone tells them, newest statement first.
#pragma once

#include <string>
#include <vector>

#include "engine/undo.hpp"
#include "offline/raw_parser.hpp"

namespace mg {

struct StatementUndo {
    int number = 0;  // 1-based, as lint numbers them
    int line = 0;
    std::string text;  // the statement, as written
    std::vector<UndoStep> steps;
};

// False with `error` (message and offset) when the text does not parse. Names keep the schema
// they are written with: the search_path the file runs under is not known.
bool rollback_guide(const std::string &text, std::vector<StatementUndo> &guide, ParseError &error);

}  // namespace mg
