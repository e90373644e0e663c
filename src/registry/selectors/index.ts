// Label and field selectors, parsed and matched as kube-apiserver does.
export { SelectorParseError } from "./errors.js";
export {
  type LabelOperator,
  type LabelRequirement,
  type LabelSelector,
  type LabelSelectorObject,
  type LabelSelectorRequirementObject,
  type Labels,
  everythingLabels,
  labelSelectorFromObject,
  labelSelectorFromSet,
  labelSelectorObjectToString,
  newLabelRequirement,
  nothingLabels,
  parseLabelSelector,
} from "./label-selector.js";
export {
  type FieldOperator,
  type FieldRequirement,
  type FieldSelector,
  checkSupportedFields,
  escapeFieldValue,
  parseFieldSelector,
  unescapeFieldValue,
} from "./field-selector.js";
