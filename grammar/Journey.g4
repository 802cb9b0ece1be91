// The Journey language: customer journeys as stages, touchpoints, triggers and rules.
//
// The grammar is deliberately lenient: it accepts every item in every block where the
// syntax is unambiguous and leaves "this item does not belong here", "at most one of these"
// and all typing to semantic analysis, which can explain the problem far better than a
// parser error could. Newlines are not significant; every item starts with a keyword.
grammar Journey;

// ---------------------------------------------------------------------------------------------
// Files
//
// A file is   useDecl* ( journeyHeader declaration* RBRACE | declaration )* EOF
// The parser module drives that loop itself and parses one declaration at a time, so that the
// parse tree of a 100,000-stage file never exists at once (see compiler/parse/parser.cpp).

// A lone expression, e.g. the value of a `--set name=value` override.
exprEntry
    : expr EOF
    ;

useDecl
    : USE STRING
    ;

journeyHeader
    : JOURNEY name STRING? LBRACE
    ;

declaration
    : horizonDecl
    | entryDecl
    | paramDecl
    | varDecl
    | channelDecl
    | personaDecl
    | stageDecl
    | touchpointDecl
    | eventDecl
    | ruleDecl
    | kpiDecl
    | discountDecl
    ;

horizonDecl
    : HORIZON expr
    ;

entryDecl
    : ENTRY target
    ;

// `discount 10% per 1y`: how lifetime value weighs money earned or spent later.
discountDecl
    : DISCOUNT expr PER expr
    ;

paramDecl
    : PARAM name STRING? ASSIGN expr
    ;

varDecl
    : VAR name STRING? ASSIGN expr
    ;

// ---------------------------------------------------------------------------------------------
// Channels, personas

channelDecl
    : CHANNEL name STRING? (LBRACE channelItem* RBRACE)?
    ;

channelItem
    : COST expr                                  # channelCost
    | CAP expr PER expr capPolicy?               # channelCap
    | QUIET expr RANGE expr capPolicy?           # channelQuiet
    ;

capPolicy
    : DROP
    | DEFER
    ;

personaDecl
    : PERSONA name STRING? LBRACE personaItem* RBRACE
    ;

personaItem
    : SHARE expr                                 # personaShare
    | name ASSIGN expr                           # personaAttribute
    ;

// ---------------------------------------------------------------------------------------------
// Stages and touchpoints

stageDecl
    : kind=(STAGE | MILESTONE | GOAL | EXIT) name STRING? (LBRACE stageItem* RBRACE)?
    ;

stageItem
    : touchpointDecl                             # stageTouchpoint
    | personaScope? AFTER expr ARROW target      # stageAfter
    | personaScope? ON name ARROW target         # stageOn
    | VALUE expr (PER expr)?                     # stageValue
    ;

personaScope
    : FOR nameList
    ;

// A touchpoint's properties follow its name on one line; each starts with a keyword.
touchpointDecl
    : TOUCHPOINT name STRING? touchpointItem*
    ;

touchpointItem
    : VIA name                                   # touchpointVia
    | COST expr                                  # touchpointCost
    | EMOTION expr                               # touchpointEmotion
    | DURATION expr                              # touchpointDuration
    | RESPONSE expr EMITS name (DELAY expr)?     # touchpointResponse
    | NPS expr                                   # touchpointNps
    ;

// Where a customer goes: one stage, or a block of branches.
target
    : name                                       # targetStage
    | LBRACE branch* RBRACE                      # targetBranches
    ;

branch
    : name expr COMMA?                           # branchChance
    | name OTHERWISE COMMA?                      # branchOtherwise
    | IF expr ARROW target COMMA?                # branchIf
    | ELSE ARROW target COMMA?                   # branchElse
    ;

// ---------------------------------------------------------------------------------------------
// Events and rules

eventDecl
    : EVENT name STRING? (LBRACE eventItem* RBRACE)?
    ;

eventItem
    : IN nameList                                # eventIn
    | personaScope? EVERY expr                   # eventEvery
    | VALUE expr                                 # eventValue
    | name ASSIGN expr                           # eventPayload
    ;

ruleDecl
    : RULE name STRING? LBRACE ruleItem* RBRACE
    ;

ruleItem
    : ON trigger                                 # ruleOn
    | IN nameList                                # ruleIn
    | FOR nameList                               # ruleFor
    | IF expr                                    # ruleIf
    | PRIORITY expr                              # rulePriority
    | CAP expr (PER expr)?                       # ruleCap
    | action                                     # ruleAction
    ;

trigger
    : ENTER name                                 # triggerEnter
    | LEAVE name                                 # triggerLeave
    | AFTER expr                                 # triggerAfter
    | INACTIVE expr                              # triggerInactive
    | expr                                       # triggerExpr
    ;

action
    : SEND name                                  # actionSend
    | MOVE target                                # actionMove
    | SET name ASSIGN expr                       # actionSet
    | WAIT FOR name (WITHIN expr)?               # actionWaitFor
    | WAIT expr                                  # actionWait
    | STOP                                       # actionStop
    ;

// ---------------------------------------------------------------------------------------------
// KPIs: `kpi first_order "Placed a first order" = reached(FirstOrder) primary`

kpiDecl
    : KPI name STRING? ASSIGN expr PRIMARY?
    ;

// ---------------------------------------------------------------------------------------------
// Expressions. Alternatives listed first bind tighter.

expr
    : primary                                    # exprPrimary
    | op=(MINUS | PLUS) expr                     # exprUnary
    | expr op=(STAR | SLASH) expr                # exprBinary
    | expr op=(PLUS | MINUS) expr                # exprBinary
    | expr op=(LT | LE | GT | GE) expr           # exprBinary
    | expr op=(EQ | NE) expr                     # exprBinary
    // `not` binds looser than comparisons, as in Python and SQL: `not a == b` is `not (a == b)`.
    | op=NOT expr                                # exprUnary
    | expr op=AND expr                           # exprBinary
    | expr op=OR expr                            # exprBinary
    ;

primary
    : NUMBER                                     # literalNumber
    | PERCENT                                    # literalPercent
    | QUANTITY                                   # literalQuantity
    | MONEY                                      # literalMoney
    | STRING                                     # literalString
    | (TRUE | FALSE)                             # literalBool
    | DISCRETE LBRACE (discreteEntry (COMMA discreteEntry)* COMMA?)? RBRACE   # discreteTable
    | name LPAREN (argument (COMMA argument)*)? RPAREN   # call
    | name DOT name                              # member
    | name                                       # nameRef
    | LPAREN expr RPAREN                         # paren
    ;

argument
    : (name COLON)? expr
    ;

// Entries need commas: without them `1: 50% -2: 50%` would be ambiguous, and predicting it
// would cost a scan to the end of every expression.
discreteEntry
    : expr COLON expr
    ;

nameList
    : name (COMMA name)*
    ;

// Property keywords are reserved only where they start an item: elsewhere they are names,
// so that `emotion`, `cost` or `value` can be read in expressions.
name
    : IDENT
    | PERSONA
    | COST | EMOTION | DURATION | VALUE | SHARE | VIA | RESPONSE | EMITS | DELAY | PRIORITY
    | CAP | PER | QUIET | DROP | DEFER | ENTER | LEAVE | INACTIVE | WITHIN | PRIMARY | DISCOUNT | NPS
    ;

// ---------------------------------------------------------------------------------------------
// Lexer

USE        : 'use';
JOURNEY    : 'journey';
HORIZON    : 'horizon';
ENTRY      : 'entry';
PARAM      : 'param';
VAR        : 'var';
CHANNEL    : 'channel';
PERSONA    : 'persona';
STAGE      : 'stage';
MILESTONE  : 'milestone';
GOAL       : 'goal';
EXIT       : 'exit';
TOUCHPOINT : 'touchpoint';
EVENT      : 'event';
RULE       : 'rule';
KPI        : 'kpi';
AFTER      : 'after';
ON         : 'on';
IN         : 'in';
FOR        : 'for';
IF         : 'if';
ELSE       : 'else';
EVERY      : 'every';
SEND       : 'send';
MOVE       : 'move';
SET        : 'set';
WAIT       : 'wait';
STOP       : 'stop';
TRUE       : 'true';
FALSE      : 'false';
AND        : 'and';
OR         : 'or';
NOT        : 'not';
DISCRETE   : 'discrete';

COST       : 'cost';
EMOTION    : 'emotion';
DURATION   : 'duration';
VALUE      : 'value';
SHARE      : 'share';
VIA        : 'via';
RESPONSE   : 'response';
EMITS      : 'emits';
DELAY      : 'delay';
PRIORITY   : 'priority';
CAP        : 'cap';
PER        : 'per';
QUIET      : 'quiet';
DROP       : 'drop';
DEFER      : 'defer';
ENTER      : 'enter';
LEAVE      : 'leave';
INACTIVE   : 'inactive';
WITHIN     : 'within';
PRIMARY    : 'primary';
DISCOUNT   : 'discount';
NPS        : 'nps';
OTHERWISE  : 'otherwise';

ARROW  : '->';
RANGE  : '..';
LE     : '<=';
GE     : '>=';
EQ     : '==';
NE     : '!=';
LT     : '<';
GT     : '>';
ASSIGN : '=';
PLUS   : '+';
MINUS  : '-';
STAR   : '*';
SLASH  : '/';
LPAREN : '(';
RPAREN : ')';
LBRACE : '{';
RBRACE : '}';
COMMA  : ',';
COLON  : ':';
DOT    : '.';

// `120 USD` and `120USD`: an amount in a currency (ISO 4217 codes we know).
MONEY
    : DECIMAL [ \t]* CURRENCY
    ;

// `10%`
PERCENT
    : DECIMAL '%'
    ;

// `30m`, `2h`, `3d`, `1w`: a number with a unit suffix; the unit is checked when building
// the AST, so `2min` gets a precise "unknown unit" diagnostic instead of a syntax error.
QUANTITY
    : DECIMAL [a-zA-Z_]+
    ;

NUMBER
    : DECIMAL
    ;

IDENT
    : [a-zA-Z_] [a-zA-Z_0-9]*
    ;

STRING
    : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"'
    ;

// Reported as "unterminated string" rather than as a stray quote.
UNTERMINATED_STRING
    : '"' (~["\\\r\n] | '\\' ~[\r\n])*
    ;

DOC_COMMENT
    : '///' ~[\r\n]* -> channel(2)
    ;

LINE_COMMENT
    : '//' ~[\r\n]* -> channel(2)
    ;

BLOCK_COMMENT
    : '/*' .*? '*/' -> channel(2)
    ;

// Only a comment that really runs to the end of the file: a plain `'/*' .*? EOF` would win
// over BLOCK_COMMENT by length on every comment.
UNTERMINATED_COMMENT
    : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF
    ;

WS
    : [ \t\r\n\f]+ -> skip
    ;

// Anything else is a bad character, reported by the parser module; `&&` and `||` are one
// token so that each gets one message.
BAD_CHAR
    : '&&'
    | '||'
    | .
    ;

fragment DECIMAL
    : DIGITS ('.' DIGITS)?
    ;

fragment DIGITS
    : [0-9] ([0-9_]* [0-9])?
    ;

fragment CURRENCY
    : 'USD' | 'EUR' | 'GBP' | 'JPY' | 'CNY' | 'INR' | 'AUD' | 'CAD' | 'CHF' | 'SEK' | 'NOK'
    | 'DKK' | 'PLN' | 'BRL' | 'MXN' | 'SGD' | 'HKD' | 'KRW' | 'THB' | 'VND' | 'IRR' | 'ZAR'
    | 'NZD' | 'IDR' | 'MYR' | 'PHP' | 'TRY' | 'AED' | 'SAR' | 'CZK' | 'HUF' | 'ILS'
    ;
