import { ValidationError } from '../../domain/errors.js';
import { SLACK_LIMITS } from './elements.js';
import { truncate } from './text.js';

/**
 * A domain ValidationError as a modal's field errors (`response_action: "errors"`): each
 * issue's path (wire names, e.g. `business_calendar.hours.mon`) goes to the block showing that
 * field, the longest mapped prefix winning; issues of no mapped field go to `fallbackBlock`.
 * The same schema as the REST API decides; this only says where the message shows.
 */
export function modalFieldErrors(error: ValidationError, blocks: Record<string, string>, fallbackBlock: string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    let block = fallbackBlock;
    for (let n = path.length; n > 0; n--) {
      const mapped = blocks[path.slice(0, n).join('.')];
      if (mapped) {
        block = mapped;
        break;
      }
    }
    const where = block === fallbackBlock && path.length > 0 && !blocks[path.join('.')] ? `${path.join('.')}: ` : '';
    const message = `${where}${issue.message}`;
    errors[block] = errors[block] ? truncate(`${errors[block]}; ${message}`, SLACK_LIMITS.sectionField) : truncate(message, SLACK_LIMITS.sectionField);
  }
  return errors;
}
