/*
 * The CMI data model of the FIA Academy SCORM runtime (runtime.js), in the runtime frame.
 *
 * The rules come from the JSON spec the server embeds (courses.scorm.datamodel.to_json_spec),
 * so the browser and the server (apply_commit) enforce the same tables; what is logic rather
 * than data (indices, evaluated statuses, uniqueness, shared data permissions) mirrors
 * courses/scorm/datamodel/base.py and cmi2004.py.
 *
 *   var Model = FiaScorm.dataModel(spec).Model;
 *   var model = new Model(values, context, navValid, shared);
 *   model.get(element) → [value, code];  model.set(element, value) → code
 *
 * `shared` (SCORM 2004 4th edition, adl.data): the SCO's buckets in manifest order,
 * [{id, read, write}]; their stored values come in `values` as adl.data.n.store.
 */
(function (root) {
  "use strict";

  function dataModel(spec) {
    var is2004 = spec.version !== "1.2";
    var faults = spec.faults;
    var INDEX = /^(0|[1-9][0-9]{0,8})$/;
    var TARGET = /^(adl\.nav\.request_valid\.(?:choice|jump))\.\{target=([^\s{}]+)\}$/;
    var NAV_TARGET = new RegExp(spec.nav_target_pattern || "^$");
    var patterns = {};
    var prefixes = {};

    Object.keys(spec.types).forEach(function (name) {
      if (spec.types[name].pattern) patterns[name] = new RegExp(spec.types[name].pattern);
    });
    Object.keys(spec.elements).forEach(function (name) {
      var parts = name.split(".");
      for (var i = 1; i < parts.length; i++) prefixes[parts.slice(0, i).join(".")] = true;
      prefixes[name] = true;
    });

    function parseElement(element) {
      if (!element || element.length > 512) return null;
      var target = TARGET.exec(element);
      if (target) return { element: element, template: target[1] + ".{target=n}", indices: [], target: target[2] };
      var parts = element.split(".");
      var template = [];
      var indices = [];
      for (var i = 0; i < parts.length; i++) {
        var part = parts[i];
        if (!part) return null;
        if (/^[0-9]+$/.test(part)) {
          if (!INDEX.test(part)) return null;
          indices.push(parseInt(part, 10));
          template.push("n");
        } else {
          template.push(part);
        }
      }
      return { element: element, template: template.join("."), indices: indices, target: null };
    }

    function arrayLevels(template, indices) {
      var levels = [];
      var parts = template.split(".");
      var concrete = [];
      var position = 0;
      for (var i = 0; i < parts.length; i++) {
        if (parts[i] === "n" && position < indices.length) {
          levels.push([parts.slice(0, i).join("."), concrete.join("."), indices[position]]);
          concrete.push(String(indices[position]));
          position += 1;
        } else {
          concrete.push(parts[i]);
        }
      }
      return levels;
    }

    function Model(values, context, navValid, shared) {
      this.values = {};
      this.counts = {};
      this.context = context || {};
      this.shared = is2004 && Array.isArray(shared) ? shared : [];
      this.navValid = navValid || function () { return "unknown"; };
      this.lastFault = "";
      var self = this;
      Object.keys(values || {}).forEach(function (key) { self.restore(key, values[key]); });
    }

    Model.prototype.restore = function (key, value) {
      var ref = parseElement(key);
      if (!ref || !spec.elements[ref.template]) return;
      this.values[key] = String(value);
      this.bump(ref);
    };

    Model.prototype.bump = function (ref) {
      var self = this;
      arrayLevels(ref.template, ref.indices).forEach(function (level) {
        self.counts[level[1]] = Math.max(self.counts[level[1]] || 0, level[2] + 1);
      });
    };

    Model.prototype.count = function (path) {
      if (path === "cmi.comments_from_lms" && is2004) return 0;
      if (path === "adl.data") return this.shared.length;
      return this.counts[path] || 0;
    };

    Model.prototype.code = function (fault, why) {
      this.lastFault = why || fault || "";
      return fault ? faults[fault] : 0;
    };

    Model.prototype.number = function (element) {
      var value = this.values[element];
      if (value === undefined || value === "") return null;
      var n = parseFloat(value);
      return isNaN(n) ? null : n;
    };

    Model.prototype.evaluated = function (template) {
      var threshold = this.context["cmi.completion_threshold"];
      var passing = this.context["cmi.scaled_passing_score"];
      if (template === "cmi.completion_status" && threshold !== undefined) {
        var progress = this.number("cmi.progress_measure");
        if (progress === null) return "unknown";
        return progress >= parseFloat(threshold) ? "completed" : "incomplete";
      }
      if (template === "cmi.success_status" && passing !== undefined) {
        var scaled = this.number("cmi.score.scaled");
        if (scaled === null) return "unknown";
        return scaled >= parseFloat(passing) ? "passed" : "failed";
      }
      return undefined;
    };

    Model.prototype.get = function (element) {
      if (typeof element !== "string" || !element) return ["", this.code("EMPTY_ELEMENT")];
      var ref = parseElement(element);
      if (!ref) return ["", this.code("UNDEFINED")];
      var template = ref.template;
      var suffixes = [["._children", "NO_CHILDREN"], ["._count", "NO_COUNT"]];
      for (var s = 0; s < suffixes.length; s++) {
        var suffix = suffixes[s][0];
        if (template.slice(-suffix.length) === suffix && !spec.elements[template]) {
          var parent = template.slice(0, -suffix.length);
          return ["", this.code(prefixes[parent] ? suffixes[s][1] : "UNDEFINED")];
        }
      }
      var elementSpec = spec.elements[template];
      if (!elementSpec) return ["", this.code("UNDEFINED")];
      if (elementSpec.access.indexOf("r") < 0) return ["", this.code("WRITE_ONLY")];
      var bucket = template.indexOf("adl.data.n.") === 0 ? this.shared[ref.indices[0]] : null;
      if (bucket && template === "adl.data.n.store" && !bucket.read) {
        return ["", this.code("WRITE_ONLY", "readSharedData is false")];
      }
      var levels = arrayLevels(template, ref.indices);
      for (var i = 0; i < levels.length; i++) {
        if (levels[i][2] >= this.count(levels[i][1])) return ["", this.code("GET_FAILURE")];
      }
      if (bucket && template === "adl.data.n.id") return [String(bucket.id), this.code(null)];
      if (elementSpec.source === "count") {
        return [String(this.count(element.slice(0, -"._count".length))), this.code(null)];
      }
      if (elementSpec.source === "keyword") return [elementSpec["default"], this.code(null)];
      if (elementSpec.source === "context") {
        if (template.indexOf("adl.nav.request_valid.") === 0) {
          return [this.navValid(template, ref.target), this.code(null)];
        }
        var provided = this.context[element];
        if (provided === undefined) {
          return is2004 ? ["", this.code("NOT_INITIALIZED")] : ["", this.code(null)];
        }
        return [provided, this.code(null)];
      }
      var evaluated = is2004 ? this.evaluated(template) : undefined;
      if (evaluated !== undefined) return [evaluated, this.code(null)];
      var value = this.values[element];
      if (value === undefined) value = elementSpec["default"];
      if (value === undefined) return ["", this.code("NOT_INITIALIZED")];
      return [value, this.code(null)];
    };

    function splitLanguage(value) {
      if (value.indexOf("{lang=") !== 0) return ["", value];
      var end = value.indexOf("}");
      if (end < 0) return null;
      var language = value.slice(6, end);
      if (!/^(([a-zA-Z]{2,3}|i|x)(-[a-zA-Z0-9]{1,8})*)?$/.test(language)) return null;
      return [language, value.slice(end + 1)];
    }

    function checkType(elementSpec, value) {
      var type = spec.types[elementSpec.type || ""];
      if (!type || type.name === "interaction_response") return null;
      if (type.blank_allowed && value === "") return null;
      if (elementSpec.vocabulary) {
        if (elementSpec.vocabulary.indexOf(value) >= 0) return null;
        if (!type.also_real) return "TYPE_MISMATCH";
      }
      var text = value;
      if (type.localized) {
        var split = splitLanguage(value);
        if (!split) return "TYPE_MISMATCH";
        text = split[1];
      }
      var limit = elementSpec.max_length !== undefined ? elementSpec.max_length : type.max_length;
      if (limit !== undefined && text.length > limit) return "TYPE_MISMATCH";
      if (patterns[type.name] && !patterns[type.name].test(value)) return "TYPE_MISMATCH";
      if (type.numeric || type.also_real) {
        var number = parseFloat(value);
        if (isNaN(number)) return "TYPE_MISMATCH";
        if (elementSpec.minimum !== undefined && number < elementSpec.minimum) return "OUT_OF_RANGE";
        if (elementSpec.maximum !== undefined && number > elementSpec.maximum) return "OUT_OF_RANGE";
      }
      return null;
    }

    Model.prototype.uniqueId = function (ref, value, path, writeOnce) {
      var index = ref.indices[ref.indices.length - 1];
      var current = this.values[path + "." + index + ".id"];
      if (writeOnce && current !== undefined && current !== value) return "WRITE_ONCE";
      for (var other = 0; other < this.count(path); other++) {
        if (other !== index && this.values[path + "." + other + ".id"] === value) return "DUPLICATE";
      }
      return null;
    };

    Model.prototype.rules = function (ref, value) {
      if (!is2004) return null;
      var name = ref.template;
      if (name === "cmi.objectives.n.id") return this.uniqueId(ref, value, "cmi.objectives", true);
      if (name === "cmi.interactions.n.objectives.n.id") {
        return this.uniqueId(ref, value, "cmi.interactions." + ref.indices[0] + ".objectives", false);
      }
      if (name === "cmi.interactions.n.learner_response" ||
          name === "cmi.interactions.n.correct_responses.n.pattern") {
        if (this.values["cmi.interactions." + ref.indices[0] + ".type"] === undefined) return "DEPENDENCY";
      }
      if (name === "adl.data.n.store") {
        var bucket = this.shared[ref.indices[0]];
        if (!bucket) return "OUT_OF_ORDER";
        if (!bucket.write) return "READ_ONLY";
      }
      return null;
    };

    Model.prototype.set = function (element, value) {
      if (typeof element !== "string" || !element) return this.code("EMPTY_ELEMENT");
      if (value === null || value === undefined) return this.code("TYPE_MISMATCH");
      value = String(value);
      var ref = parseElement(element);
      if (!ref) {
        return this.code(is2004 && /\.0[0-9]+(\.|$)/.test(element) ? "OUT_OF_ORDER" : "UNDEFINED");
      }
      var template = ref.template;
      if (/\._(children|count|version)$/.test(template)) {
        var parent = template.slice(0, template.lastIndexOf("."));
        return this.code(spec.elements[template] || prefixes[parent] ? "KEYWORD" : "UNDEFINED");
      }
      var elementSpec = spec.elements[template];
      if (!elementSpec) return this.code("UNDEFINED");
      if (elementSpec.access.indexOf("w") < 0) return this.code("READ_ONLY");
      var levels = arrayLevels(template, ref.indices);
      for (var i = 0; i < levels.length; i++) {
        var arrayTemplate = levels[i][0];
        var count = this.count(levels[i][1]);
        var index = levels[i][2];
        if (index > count) return this.code("OUT_OF_ORDER", "index beyond _count");
        var array = spec.arrays[arrayTemplate];
        if (index === count && array) {
          if (array.limit !== undefined && index >= array.limit) return this.code("TOO_MANY");
          if (array.first && template !== arrayTemplate + ".n." + array.first) {
            return this.code("DEPENDENCY", "set " + array.first + " first");
          }
        }
      }
      var fault = null;
      if (!(template === "adl.nav.request" && NAV_TARGET.test(value))) fault = checkType(elementSpec, value);
      if (!fault) fault = this.rules(ref, value);
      if (fault) return this.code(fault, value.slice(0, 80));
      this.values[element] = value;
      this.bump(ref);
      return this.code(null);
    };

    return { Model: Model, parseElement: parseElement };
  }

  root.FiaScorm = root.FiaScorm || {};
  root.FiaScorm.dataModel = dataModel;
})(typeof window !== "undefined" ? window : globalThis);
