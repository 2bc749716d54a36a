/*
 * SCORM 1.2 prerequisites (the AICC script of adlcp:prerequisites) for the player's
 * table of contents: prerequisitesMet("a & (b | ~c)", statusOf) → true or false.
 */
(function () {
  "use strict";

  var LETTERS = { p: "passed", c: "completed", f: "failed", i: "incomplete", b: "browsed", n: "not attempted" };

  function prerequisitesMet(expression, statusOf) {
    if (!expression) return true;
    var tokens = expression.match(/<>|[&|~()={},*]|"[^"]*"|[^\s&|~()={},*"<>]+/g) || [];
    var position = 0;
    function peek() { return tokens[position]; }
    function take() { return tokens[position++]; }
    function done(id) { var s = statusOf(id); return s === "passed" || s === "completed"; }
    function atom() {
      var token = take();
      if (token === "(") { var value = orExpr(); take(); return value; }
      if (/^[0-9]+$/.test(token) && peek() === "*") {
        take(); take();
        var ids = [];
        while (peek() !== undefined && peek() !== "}") { var t = take(); if (t !== ",") ids.push(t); }
        take();
        return ids.filter(done).length >= parseInt(token, 10);
      }
      if (peek() === "=" || peek() === "<>") {
        var op = take();
        var wanted = take().replace(/"/g, "").toLowerCase();
        wanted = LETTERS[wanted] || wanted;
        var equal = statusOf(token) === wanted;
        return op === "=" ? equal : !equal;
      }
      return done(token);
    }
    function notExpr() {
      var t = peek();
      if (t === "~" || (t && t.toLowerCase() === "not")) { take(); return !notExpr(); }
      return atom();
    }
    function andExpr() {
      var value = notExpr();
      while (peek() === "&" || (peek() && peek().toLowerCase() === "and")) { take(); value = notExpr() && value; }
      return value;
    }
    function orExpr() {
      var value = andExpr();
      while (peek() === "|" || (peek() && peek().toLowerCase() === "or")) { take(); value = andExpr() || value; }
      return value;
    }
    try { return orExpr(); } catch (e) { return true; }
  }

  window.FiaScorm = window.FiaScorm || {};
  window.FiaScorm.prerequisitesMet = prerequisitesMet;
})();
