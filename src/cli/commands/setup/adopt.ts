export const ADOPT_HELP = "take over an existing schedule traildigest did not create (group/name; repeatable; or all)";
